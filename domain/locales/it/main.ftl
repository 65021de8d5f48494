# Every text the product writes for a person, in Italian. Each language has the same
# messages (a test fails when one is missing). Brand names, hosts, numbers and amounts come
# in as variables; amounts and dates are already written the reader's way.

## Shared by emails

# How dates and times are written (a chrono format; times are UTC).
date-time-format = %-d %B %Y, %H:%M UTC
email-hello = Ciao,
email-hello-name = Ciao { $name },
email-questions = Hai domande? Scrivi a { $support }.
email-open = Apri
link-expires-minutes = Il link si può usare una sola volta e scade tra { $minutes ->
    [one] { $minutes } minuto
   *[other] { $minutes } minuti
}.
link-expires-hours = Il link si può usare una sola volta e scade tra { $hours ->
    [one] { $hours } ora
   *[other] { $hours } ore
}.

## Account emails

reset-subject = Reimposta la password di { $brand }
reset-body = Qualcuno ha chiesto di reimpostare la password del tuo account. Se la richiesta è tua, segui il link qui sotto; altrimenti ignora questa email.
reset-action = Scegli una nuova password
verify-subject = Conferma la tua email per { $brand }
verify-body = Conferma che questo indirizzo è tuo. Finché non lo fai, gli inviti e gli accessi da partner inviati a questo indirizzo restano bloccati per il tuo account.
verify-action = Conferma la mia email
email-changed-subject = L'email del tuo account { $brand } è stata modificata
email-changed-body = L'indirizzo email del tuo account è appena stato modificato. Se non hai richiesto tu la modifica, reimposta la password e contatta l'assistenza.
email-changed-action = Reimposta la password
account-ready-subject = Il tuo account { $brand } è pronto
admin-ready-body = È stato creato per te un account amministratore di { $brand }. Scegli una password per accedere.
client-ready-body = { $partner } ha creato per te un account su { $brand }. Scegli una password per accedere.
set-password-action = Scegli una password
invitation-subject = Unisciti a { $org } su { $brand }
invitation-intro = { $inviter } ti invita a unirti a { $org } su { $brand } come { $role ->
    [OWNER] proprietario
    [USER_ADMIN] amministratore utenti
   *[other] membro
}.
invitation-body = Accetta tramite il link qui sotto; se non hai ancora un account, puoi crearne uno lì.
invitation-expiry = L'invito scade il { $date }.
invitation-action = Accetta l'invito
invitation-someone = Qualcuno

## Notifications: what they are about

notice-client = Cliente: account { $account }, { $email }
notice-line = Linea { $number } «{ $name }», valida fino al { $until }
notice-organization = Organizzazione: { $name }
notice-space = Spazio: { $name }
notice-reason = Motivo: { $reason }
notice-until = Valido fino al: { $until }
notice-amount = Importo: { $amount }
notice-total = Totale: { $total }

## Notifications: titles and lines

line-expiring-title = La linea { $number } scade tra { $days ->
    [one] { $days } giorno
   *[other] { $days } giorni
}
line-expired-title = La linea { $number } è scaduta
channel-status-title = Il canale { $channel } della linea { $number } ora è { $status ->
    [CONNECTED] connesso
    [DISCONNECTED] disconnesso
    [PENDING] in attesa di connessione
   *[other] nello stato { $status }
}
channel-status-change = { $from } → { $to }
client-attached-title = Un cliente si è associato a te
client-detached-title = Un cliente non è più associato a te
consent-granted-title = Accesso concesso a { $partner }
consent-revoked-title = Accesso di { $partner } revocato
impersonation-title = { $partner } ha effettuato l'accesso al tuo account
withdrawal-title = Prelievo { $number }: { $state ->
    [REQUESTED] richiesto
    [DOCUMENTS_SENT] in verifica (documenti inviati)
    [APPROVED] approvato
    [PAID] pagato
    [REJECTED] rifiutato
   *[other] { $state }
}
order-paid-title = L'ordine { $number } è stato pagato
refund-title = Il tuo pagamento per l'ordine { $number } è stato rimborsato
withdrawal-documents-due-title = I documenti del prelievo { $number } scadono il { $due }
withdrawal-documents-due-body = Invia l'atto firmato e la fattura del prelievo { $number } entro il { $due }, altrimenti il pagamento passa alla documentazione del mese successivo.
withdrawal-overdue-title = Il prelievo { $number } è in ritardo: { $step ->
    [DOCUMENTS] documenti non ricevuti
    [ACT] atto non firmato
    [PAYMENT] non pagato
   *[other] { $step }
}
withdrawal-overdue-body = La scadenza era il { $due }.
refund-body = Il pagamento con carta è arrivato dopo che l'ordine { $number } { $status ->
    [CANCELLED] era stato annullato
    [EXPIRED] era scaduto
   *[other] era stato pagato in altro modo
}; l'intero importo verrà riaccreditato sulla carta.
free-lead-title = Nuovo lead libero { $number }
my-lead-title = Nuovo lead { $number } per te
lead-company = Azienda: { $value }
lead-task = Attività: { $value }
lead-features = Funzionalità: { $value }
lead-country = Paese: { $value }
lead-language = Lingua: { $value }
domain-verified-title = Il dominio { $host } è verificato
domain-verified-body = { $host } ora è attivo per il tuo brand; impostalo come principale per usarlo nei link e nelle email.
domain-failed-title = Impossibile verificare il dominio { $host }
domain-last-check = Ultimo controllo: { $error }
domain-create-record = Crea il record { $record }, poi verifica di nuovo il dominio.
domain-expired-title = Il dominio { $host } non è più attivo per il tuo brand
domain-expired-body = Il record di verifica del dominio è risultato errato o assente per { $days ->
    [one] { $days } giorno di fila
   *[other] { $days } giorni di fila
}. Ripristina il record { $record }, poi verifica di nuovo il dominio.
domain-lost-title = Il record di verifica di { $host } non è stato trovato
domain-lost-body = Il dominio è ancora attivo per il tuo brand. Ripristina il record { $record } entro { $days ->
    [one] { $days } giorno
   *[other] { $days } giorni
}, altrimenti smetterà di funzionare.

## What each kind of notification is about (the unsubscribe page)

kind-LINE_EXPIRING = le linee in scadenza
kind-LINE_EXPIRED = le linee scadute
kind-CHANNEL_STATUS_CHANGED = i cambi di stato dei canali
kind-FREE_LEAD = i nuovi lead liberi
kind-MY_LEAD = i nuovi lead destinati a te
kind-CLIENT_ATTACHED = i clienti associati
kind-CLIENT_DETACHED = i clienti dissociati
kind-CONSENT_GRANTED = gli accessi concessi
kind-CONSENT_REVOKED = gli accessi revocati
kind-IMPERSONATION_STARTED = gli accessi dei partner al tuo account
kind-WITHDRAWAL_STATE_CHANGED = i prelievi
kind-ORDER_PAID = gli ordini pagati
kind-PAYMENT_REFUNDED = i rimborsi dei pagamenti con carta
kind-CUSTOM_DOMAIN = i domini personalizzati del tuo brand
kind-WITHDRAWAL_DOCUMENTS_DUE = le scadenze dei documenti dei prelievi
kind-WITHDRAWAL_OVERDUE = i prelievi in ritardo

## The unsubscribe page

unsubscribe-ask = Vuoi smettere di ricevere email riguardanti { $kind }?
unsubscribe-button = Annulla l'iscrizione
unsubscribe-done = Fatto: non riceverai più email riguardanti { $kind }. Queste notifiche restano visibili nella campanella; puoi riattivare le email nelle impostazioni delle notifiche.
unsubscribe-invalid = Questo link per annullare l'iscrizione non è valido. Scegli quali email ricevere nelle impostazioni delle notifiche.
unsubscribe-error = Qualcosa è andato storto; riprova.

## The Telegram bot

telegram-hint = Apri il link «Collega Telegram» nelle impostazioni delle notifiche per ricevere qui le notifiche.
telegram-link-expired = Questo link è scaduto o è già stato usato. Aprine uno nuovo dalle impostazioni delle notifiche.
telegram-link-used = Questo link è già stato usato.
telegram-connected = Collegato: le notifiche di { $brand } arriveranno qui.
