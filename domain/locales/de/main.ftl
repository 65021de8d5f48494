# Every text the product writes for a person, in German. Each language has the same
# messages (a test fails when one is missing). Brand names, hosts, numbers and amounts come
# in as variables; amounts and dates are already written the reader's way.

## Shared by emails

# How dates and times are written (a chrono format; times are UTC).
date-time-format = %-d. %B %Y, %H:%M UTC
email-hello = Hallo,
email-hello-name = Hallo { $name },
email-questions = Fragen? Schreiben Sie an { $support }.
email-open = Öffnen
link-expires-minutes = Der Link kann nur einmal verwendet werden und läuft in { $minutes ->
    [one] { $minutes } Minute
   *[other] { $minutes } Minuten
} ab.
link-expires-hours = Der Link kann nur einmal verwendet werden und läuft in { $hours ->
    [one] { $hours } Stunde
   *[other] { $hours } Stunden
} ab.

## Account emails

reset-subject = Passwort für { $brand } zurücksetzen
reset-body = Jemand hat angefordert, das Passwort Ihres Kontos zurückzusetzen. Wenn Sie das waren, folgen Sie dem Link unten; andernfalls ignorieren Sie diese E-Mail einfach.
reset-action = Neues Passwort wählen
verify-subject = Bestätigen Sie Ihre E-Mail-Adresse für { $brand }
verify-body = Bestätigen Sie, dass diese Adresse Ihnen gehört. Bis dahin bleiben Einladungen und Partnerzugänge, die an diese Adresse gesendet wurden, für Ihr Konto gesperrt.
verify-action = E-Mail-Adresse bestätigen
email-changed-subject = Ihre E-Mail-Adresse bei { $brand } wurde geändert
email-changed-body = Die E-Mail-Adresse Ihres Kontos wurde soeben geändert. Wenn Sie das nicht waren, setzen Sie Ihr Passwort zurück und wenden Sie sich an den Support.
email-changed-action = Passwort zurücksetzen
account-ready-subject = Ihr Konto bei { $brand } ist bereit
admin-ready-body = Für Sie wurde ein Administratorkonto bei { $brand } erstellt. Wählen Sie ein Passwort, um sich anzumelden.
client-ready-body = { $partner } hat für Sie ein Konto bei { $brand } erstellt. Wählen Sie ein Passwort, um sich anzumelden.
set-password-action = Passwort wählen
invitation-subject = Einladung zu { $org } bei { $brand }
invitation-intro = { $inviter } hat Sie eingeladen, { $org } bei { $brand } als { $role ->
    [OWNER] Inhaber
    [USER_ADMIN] Benutzeradministrator
   *[other] Mitglied
} beizutreten.
invitation-body = Nehmen Sie die Einladung über den Link unten an; falls Sie noch kein Konto haben, können Sie dort eines erstellen.
invitation-expiry = Die Einladung läuft am { $date } ab.
invitation-action = Einladung annehmen
invitation-someone = Jemand

## Notifications: what they are about

notice-client = Kunde: Konto { $account }, { $email }
notice-line = Linie { $number } „{ $name }“, gültig bis { $until }
notice-organization = Organisation: { $name }
notice-space = Bereich: { $name }
notice-reason = Grund: { $reason }
notice-until = Gültig bis: { $until }
notice-amount = Betrag: { $amount }
notice-total = Gesamt: { $total }

## Notifications: titles and lines

line-expiring-title = Linie { $number } läuft in { $days ->
    [one] { $days } Tag
   *[other] { $days } Tagen
} ab
line-expired-title = Linie { $number } ist abgelaufen
channel-status-title = Kanal { $channel } der Linie { $number }: { $status ->
    [CONNECTED] verbunden
    [DISCONNECTED] getrennt
    [PENDING] Verbindung ausstehend
   *[other] Status { $status }
}
channel-status-change = { $from } → { $to }
client-attached-title = Ihnen wurde ein Kunde zugeordnet
client-detached-title = Ein Kunde ist Ihnen nicht mehr zugeordnet
consent-granted-title = Zugriff für { $partner } freigegeben
consent-revoked-title = Zugriff für { $partner } widerrufen
impersonation-title = { $partner } hat sich in Ihrem Konto angemeldet
withdrawal-title = Auszahlung { $number }: { $state ->
    [REQUESTED] beantragt
    [DOCUMENTS_SENT] in Prüfung (Unterlagen gesendet)
    [APPROVED] genehmigt
    [PAID] ausgezahlt
    [REJECTED] abgelehnt
   *[other] { $state }
}
order-paid-title = Bestellung { $number } ist bezahlt
refund-title = Ihre Zahlung für Bestellung { $number } wurde erstattet
withdrawal-documents-due-title = Die Unterlagen zur Auszahlung { $number } sind bis { $due } fällig
withdrawal-documents-due-body = Senden Sie das unterschriebene Protokoll und die Rechnung zur Auszahlung { $number } bis { $due }, sonst wird sie erst mit den Unterlagen des nächsten Monats bezahlt.
withdrawal-overdue-title = Auszahlung { $number } ist überfällig: { $step ->
    [DOCUMENTS] Unterlagen nicht erhalten
    [ACT] Protokoll nicht unterschrieben
    [PAYMENT] nicht bezahlt
   *[other] { $step }
}
withdrawal-overdue-body = Die Frist war { $due }.
refund-body = Die Kartenzahlung ist eingegangen, nachdem Bestellung { $number } { $status ->
    [CANCELLED] storniert worden war
    [EXPIRED] abgelaufen war
   *[other] bereits auf anderem Weg bezahlt worden war
}; der volle Betrag wird auf die Karte zurückerstattet.
free-lead-title = Neuer freier Lead { $number }
my-lead-title = Neuer Lead { $number } für Sie
lead-company = Unternehmen: { $value }
lead-task = Aufgabe: { $value }
lead-features = Funktionen: { $value }
lead-country = Land: { $value }
lead-language = Sprache: { $value }
domain-verified-title = Domain { $host } ist verifiziert
domain-verified-body = { $host } ist jetzt für Ihre Marke aktiv; legen Sie sie als primäre Domain fest, damit sie in Links und E-Mails verwendet wird.
domain-failed-title = Domain { $host } konnte nicht verifiziert werden
domain-last-check = Letzte Prüfung: { $error }
domain-create-record = Legen Sie den Eintrag { $record } an und prüfen Sie die Domain anschließend erneut.
domain-expired-title = Domain { $host } ist nicht mehr für Ihre Marke aktiv
domain-expired-body = Der Verifizierungseintrag der Domain war { $days ->
    [one] { $days } Tag
   *[other] { $days } Tage
} in Folge falsch oder fehlte. Stellen Sie den Eintrag { $record } wieder her und prüfen Sie die Domain anschließend erneut.
domain-lost-title = Der Verifizierungseintrag von { $host } fehlt
domain-lost-body = Die Domain ist noch für Ihre Marke aktiv. Stellen Sie den Eintrag { $record } innerhalb von { $days ->
    [one] { $days } Tag
   *[other] { $days } Tagen
} wieder her, sonst wird sie deaktiviert.

## What each kind of notification is about (the unsubscribe page)

kind-LINE_EXPIRING = bald ablaufenden Linien
kind-LINE_EXPIRED = abgelaufenen Linien
kind-CHANNEL_STATUS_CHANGED = Statusänderungen von Kanälen
kind-FREE_LEAD = neuen freien Leads
kind-MY_LEAD = neuen Leads, die an Sie gerichtet sind
kind-CLIENT_ATTACHED = neuen Kundenzuordnungen
kind-CLIENT_DETACHED = aufgehobenen Kundenzuordnungen
kind-CONSENT_GRANTED = erteilten Zugriffsfreigaben
kind-CONSENT_REVOKED = widerrufenen Zugriffsfreigaben
kind-IMPERSONATION_STARTED = Anmeldungen von Partnern in Ihrem Konto
kind-WITHDRAWAL_STATE_CHANGED = Auszahlungen
kind-ORDER_PAID = bezahlten Bestellungen
kind-PAYMENT_REFUNDED = erstatteten Kartenzahlungen
kind-CUSTOM_DOMAIN = eigenen Domains Ihrer Marke
kind-WITHDRAWAL_DOCUMENTS_DUE = Fristen für Auszahlungsunterlagen
kind-WITHDRAWAL_OVERDUE = überfällige Auszahlungen

## The unsubscribe page

unsubscribe-ask = Keine E-Mails mehr zu { $kind } erhalten?
unsubscribe-button = Abmelden
unsubscribe-done = Erledigt: Sie erhalten keine E-Mails mehr zu { $kind }. Die Glocke zeigt diese Benachrichtigungen weiterhin an; E-Mails können Sie in Ihren Benachrichtigungseinstellungen wieder aktivieren.
unsubscribe-invalid = Dieser Abmeldelink ist ungültig. Welche E-Mails Sie erhalten, legen Sie in Ihren Benachrichtigungseinstellungen fest.
unsubscribe-error = Etwas ist schiefgelaufen; bitte versuchen Sie es erneut.

## The Telegram bot

telegram-hint = Öffnen Sie den Link „Telegram verbinden“ in Ihren Benachrichtigungseinstellungen, um Benachrichtigungen hier zu erhalten.
telegram-link-expired = Dieser Link ist abgelaufen oder wurde bereits verwendet. Öffnen Sie einen neuen in Ihren Benachrichtigungseinstellungen.
telegram-link-used = Dieser Link wurde bereits verwendet.
telegram-connected = Verbunden: Benachrichtigungen von { $brand } kommen ab jetzt hier an.
