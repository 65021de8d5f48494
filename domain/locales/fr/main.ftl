# Every text the product writes for a person, in French. Each language has the same
# messages (a test fails when one is missing). Brand names, hosts, numbers and amounts come
# in as variables; amounts and dates are already written the reader's way.

## Shared by emails

# How dates and times are written (a chrono format; times are UTC).
date-time-format = %-d %B %Y à %H:%M UTC
email-hello = Bonjour,
email-hello-name = Bonjour { $name },
email-questions = Des questions ? Écrivez à { $support }.
email-open = Ouvrir
link-expires-minutes = Le lien ne peut être utilisé qu'une fois et expire dans { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.
link-expires-hours = Le lien ne peut être utilisé qu'une fois et expire dans { $hours ->
    [one] { $hours } heure
   *[other] { $hours } heures
}.

## Account emails

reset-subject = Réinitialisez votre mot de passe { $brand }
reset-body = Quelqu'un a demandé la réinitialisation du mot de passe de votre compte. Si c'était vous, suivez le lien ci-dessous ; sinon, ignorez cet e-mail.
reset-action = Choisir un nouveau mot de passe
verify-subject = Confirmez votre adresse e-mail pour { $brand }
verify-body = Confirmez que cette adresse vous appartient. Tant que ce n'est pas fait, les invitations et les accès partenaire envoyés à cette adresse restent inaccessibles depuis votre compte.
verify-action = Confirmer mon adresse e-mail
email-changed-subject = L'adresse e-mail de votre compte { $brand } a été modifiée
email-changed-body = L'adresse e-mail de votre compte vient d'être modifiée. Si ce n'était pas vous, réinitialisez votre mot de passe et contactez le support.
email-changed-action = Réinitialiser mon mot de passe
account-ready-subject = Votre compte { $brand } est prêt
admin-ready-body = Un compte administrateur { $brand } a été créé pour vous. Choisissez un mot de passe pour vous connecter.
client-ready-body = { $partner } a créé un compte pour vous sur { $brand }. Choisissez un mot de passe pour vous connecter.
set-password-action = Choisir un mot de passe
invitation-subject = Rejoignez { $org } sur { $brand }
invitation-intro = { $inviter } vous invite à rejoindre { $org } sur { $brand } { $role ->
    [OWNER] en tant que propriétaire
    [USER_ADMIN] en tant qu'administrateur des utilisateurs
   *[other] en tant que membre
}.
invitation-body = Acceptez-la via le lien ci-dessous ; si vous n'avez pas encore de compte, vous pourrez en créer un.
invitation-expiry = L'invitation expire le { $date }.
invitation-action = Accepter l'invitation
invitation-someone = Quelqu'un

## Notifications: what they are about

notice-client = Client : compte { $account }, { $email }
notice-line = Ligne { $number } « { $name } », valable jusqu'au { $until }
notice-organization = Organisation : { $name }
notice-space = Espace : { $name }
notice-reason = Motif : { $reason }
notice-until = Valable jusqu'au : { $until }
notice-amount = Montant : { $amount }
notice-total = Total : { $total }

## Notifications: titles and lines

line-expiring-title = La ligne { $number } expire dans { $days ->
    [one] { $days } jour
   *[other] { $days } jours
}
line-expired-title = La ligne { $number } a expiré
channel-status-title = Le canal { $channel } de la ligne { $number } est maintenant { $status ->
    [CONNECTED] connecté
    [DISCONNECTED] déconnecté
    [PENDING] en attente de connexion
   *[other] à l'état { $status }
}
channel-status-change = { $from } → { $to }
client-attached-title = Un client vous a rejoint
client-detached-title = Un client vous a quitté
consent-granted-title = Accès accordé à { $partner }
consent-revoked-title = Accès révoqué pour { $partner }
impersonation-title = { $partner } s'est connecté à votre compte
withdrawal-title = Retrait { $number } : { $state ->
    [REQUESTED] demandé
    [DOCUMENTS_SENT] en cours de vérification (documents envoyés)
    [APPROVED] approuvé
    [PAID] payé
    [REJECTED] refusé
   *[other] { $state }
}
order-paid-title = La commande { $number } est payée
refund-title = Votre paiement pour la commande { $number } a été remboursé
withdrawal-documents-due-title = Les documents du retrait { $number } sont attendus avant le { $due }
withdrawal-documents-due-body = Envoyez l'acte signé et la facture du retrait { $number } avant le { $due }, sinon son paiement attendra les documents du mois suivant.
withdrawal-overdue-title = Le retrait { $number } est en retard : { $step ->
    [DOCUMENTS] documents non reçus
    [ACT] acte non signé
    [PAYMENT] non payé
   *[other] { $step }
}
withdrawal-overdue-body = L'échéance était le { $due }.
refund-body = Le paiement par carte est arrivé alors que la commande { $number } { $status ->
    [CANCELLED] avait déjà été annulée
    [EXPIRED] avait déjà expiré
   *[other] avait déjà été payée autrement
} ; le montant total sera remboursé sur la carte.
free-lead-title = Nouveau lead libre { $number }
my-lead-title = Nouveau lead { $number } pour vous
lead-company = Entreprise : { $value }
lead-task = Besoin : { $value }
lead-features = Fonctionnalités : { $value }
lead-country = Pays : { $value }
lead-language = Langue : { $value }
domain-verified-title = Le domaine { $host } est vérifié
domain-verified-body = { $host } est désormais actif pour votre marque ; définissez-le comme domaine principal pour l'utiliser dans les liens et les e-mails.
domain-failed-title = Le domaine { $host } n'a pas pu être vérifié
domain-last-check = Dernière vérification : { $error }
domain-create-record = Créez l'enregistrement { $record }, puis vérifiez à nouveau le domaine.
domain-expired-title = Le domaine { $host } n'est plus actif pour votre marque
domain-expired-body = L'enregistrement de vérification du domaine était incorrect ou absent pendant { $days ->
    [one] { $days } jour
   *[other] { $days } jours consécutifs
}. Rétablissez l'enregistrement { $record }, puis vérifiez à nouveau le domaine.
domain-lost-title = L'enregistrement de vérification de { $host } est introuvable
domain-lost-body = Le domaine est toujours actif pour votre marque. Rétablissez l'enregistrement { $record } dans un délai de { $days ->
    [one] { $days } jour
   *[other] { $days } jours
}, sinon il sera désactivé.

## What each kind of notification is about (the unsubscribe page)

kind-LINE_EXPIRING = les lignes qui expirent bientôt
kind-LINE_EXPIRED = les lignes expirées
kind-CHANNEL_STATUS_CHANGED = les changements de statut des canaux
kind-FREE_LEAD = les nouveaux leads libres
kind-MY_LEAD = les nouveaux leads qui vous sont adressés
kind-CLIENT_ATTACHED = les clients rattachés
kind-CLIENT_DETACHED = les clients détachés
kind-CONSENT_GRANTED = les accès accordés
kind-CONSENT_REVOKED = les accès révoqués
kind-IMPERSONATION_STARTED = les connexions de partenaires à votre compte
kind-WITHDRAWAL_STATE_CHANGED = les retraits
kind-ORDER_PAID = les commandes payées
kind-PAYMENT_REFUNDED = les paiements par carte remboursés
kind-CUSTOM_DOMAIN = les domaines personnalisés de votre marque
kind-WITHDRAWAL_DOCUMENTS_DUE = les échéances des documents de retrait
kind-WITHDRAWAL_OVERDUE = les retraits en retard

## The unsubscribe page

unsubscribe-ask = Ne plus recevoir d'e-mails concernant { $kind } ?
unsubscribe-button = Se désabonner
unsubscribe-done = C'est fait : vous ne recevrez plus d'e-mails concernant { $kind }. Ces notifications restent visibles dans la cloche ; vous pouvez réactiver les e-mails dans vos paramètres de notification.
unsubscribe-invalid = Ce lien de désabonnement n'est pas valide. Choisissez les e-mails que vous recevez dans vos paramètres de notification.
unsubscribe-error = Une erreur s'est produite ; veuillez réessayer.

## The Telegram bot

telegram-hint = Ouvrez le lien « Connecter Telegram » dans vos paramètres de notification pour recevoir les notifications ici.
telegram-link-expired = Ce lien a expiré ou a déjà été utilisé. Ouvrez-en un nouveau depuis vos paramètres de notification.
telegram-link-used = Ce lien a déjà été utilisé.
telegram-connected = Connecté : les notifications { $brand } arriveront ici.
