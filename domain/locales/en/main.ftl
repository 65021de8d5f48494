# Every text the product writes for a person, in English. Each language has the same
# messages (a test fails when one is missing). Brand names, hosts, numbers and amounts come
# in as variables; amounts and dates are already written the reader's way.

## Shared by emails

# How dates and times are written (a chrono format; times are UTC).
date-time-format = %-d %B %Y, %H:%M UTC
email-hello = Hello,
email-hello-name = Hello { $name },
email-questions = Questions? Write to { $support }.
email-open = Open
link-expires-minutes = The link works once and expires in { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.
link-expires-hours = The link works once and expires in { $hours ->
    [one] { $hours } hour
   *[other] { $hours } hours
}.

## Account emails

reset-subject = Reset your { $brand } password
reset-body = Someone asked to reset the password of your account. If it was you, follow the link below; if not, ignore this email.
reset-action = Choose a new password
verify-subject = Confirm your email for { $brand }
verify-body = Confirm that this address is yours. Until you do, invitations and partner access sent to it stay closed to your account.
verify-action = Confirm my email
email-changed-subject = Your { $brand } email was changed
email-changed-body = The email address of your account was just changed. If it was not you, reset your password and contact support.
email-changed-action = Reset my password
account-ready-subject = Your { $brand } account is ready
admin-ready-body = An administrator account of { $brand } was created for you. Choose a password to sign in.
client-ready-body = { $partner } created an account for you on { $brand }. Choose a password to sign in.
set-password-action = Choose a password
invitation-subject = Join { $org } on { $brand }
invitation-intro = { $inviter } invited you to join { $org } on { $brand } as { $role ->
    [OWNER] an owner
    [USER_ADMIN] a user admin
   *[other] a member
}.
invitation-body = Accept with the link below; if you have no account yet, you can create one there.
invitation-expiry = The invitation expires on { $date }.
invitation-action = Accept the invitation
invitation-someone = Someone

## Notifications: what they are about

notice-client = Client: account { $account }, { $email }
notice-line = Line { $number } "{ $name }", until { $until }
notice-organization = Organization: { $name }
notice-space = Space: { $name }
notice-reason = Reason: { $reason }
notice-until = Until: { $until }
notice-amount = Amount: { $amount }
notice-total = Total: { $total }

## Notifications: titles and lines

line-expiring-title = Line { $number } expires in { $days ->
    [one] { $days } day
   *[other] { $days } days
}
line-expired-title = Line { $number } has expired
channel-status-title = Channel { $channel } of line { $number } is now { $status ->
    [CONNECTED] connected
    [DISCONNECTED] disconnected
    [PENDING] pending
   *[other] { $status }
}
channel-status-change = { $from } → { $to }
client-attached-title = A client joined you
client-detached-title = A client left you
consent-granted-title = Access granted to { $partner }
consent-revoked-title = Access of { $partner } revoked
impersonation-title = { $partner } logged in to your account
withdrawal-title = Withdrawal { $number } is { $state ->
    [REQUESTED] requested
    [DOCUMENTS_SENT] awaiting review (documents sent)
    [APPROVED] approved
    [PAID] paid
    [REJECTED] rejected
   *[other] { $state }
}
order-paid-title = Order { $number } is paid
refund-title = Your payment for order { $number } is refunded
withdrawal-documents-due-title = Documents for withdrawal { $number } are due by { $due }
withdrawal-documents-due-body = Send the signed act and invoice for withdrawal { $number } by { $due }, or its payment waits for next month's paperwork.
withdrawal-overdue-title = Withdrawal { $number } is overdue: { $step ->
    [DOCUMENTS] documents not received
    [ACT] act not signed
    [PAYMENT] not paid
   *[other] { $step }
}
withdrawal-overdue-body = The deadline was { $due }.
refund-body = The card payment arrived after order { $number } was { $status ->
    [CANCELLED] cancelled
    [EXPIRED] expired
   *[other] paid another way
}; the full amount goes back to the card.
free-lead-title = New free lead { $number }
my-lead-title = New lead { $number } for you
lead-company = Company: { $value }
lead-task = Task: { $value }
lead-features = Features: { $value }
lead-country = Country: { $value }
lead-language = Language: { $value }
domain-verified-title = Domain { $host } is verified
domain-verified-body = { $host } now serves your brand; make it primary to use it in links and emails.
domain-failed-title = Domain { $host } could not be verified
domain-last-check = Last check: { $error }
domain-create-record = Create the record { $record }, then check the domain again.
domain-expired-title = Domain { $host } no longer serves your brand
domain-expired-body = Its verification record was wrong or missing for { $days ->
    [one] { $days } day
   *[other] { $days } days
} in a row. Restore the record { $record }, then check the domain again.
domain-lost-title = The verification record of { $host } is missing
domain-lost-body = The domain still serves your brand. Restore the record { $record } within { $days ->
    [one] { $days } day
   *[other] { $days } days
}, or it stops serving it.

## What each kind of notification is about (the unsubscribe page)

kind-LINE_EXPIRING = lines that expire soon
kind-LINE_EXPIRED = expired lines
kind-CHANNEL_STATUS_CHANGED = channel status changes
kind-FREE_LEAD = new free leads
kind-MY_LEAD = new leads addressed to you
kind-CLIENT_ATTACHED = clients attached
kind-CLIENT_DETACHED = clients detached
kind-CONSENT_GRANTED = consent granted
kind-CONSENT_REVOKED = consent revoked
kind-IMPERSONATION_STARTED = partners logging in as you
kind-WITHDRAWAL_STATE_CHANGED = withdrawals
kind-ORDER_PAID = paid orders
kind-PAYMENT_REFUNDED = card payments refunded
kind-CUSTOM_DOMAIN = your brand's custom domains
kind-WITHDRAWAL_DOCUMENTS_DUE = withdrawal documents due
kind-WITHDRAWAL_OVERDUE = overdue withdrawals

## The unsubscribe page

unsubscribe-ask = Stop emails about { $kind }?
unsubscribe-button = Unsubscribe
unsubscribe-done = Done: you will no longer get emails about { $kind }. The bell still shows them; turn emails back on in your notification settings.
unsubscribe-invalid = This unsubscribe link is not valid. Change which emails you get in your notification settings.
unsubscribe-error = Something went wrong; please try again.

## The Telegram bot

telegram-hint = Open the "Connect Telegram" link in your notification settings to get notifications here.
telegram-link-expired = This link has expired or was used already. Open a new one from your notification settings.
telegram-link-used = This link was used already.
telegram-connected = Connected: { $brand } notifications will come here.
