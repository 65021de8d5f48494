# Every text the product writes for a person, in Portuguese (Brazil). Each language has the same
# messages (a test fails when one is missing). Brand names, hosts, numbers and amounts come
# in as variables; amounts and dates are already written the reader's way.

## Shared by emails

# How dates and times are written (a chrono format; times are UTC).
date-time-format = %-d de %B de %Y, %H:%M UTC
email-hello = Olá,
email-hello-name = Olá, { $name },
email-questions = Dúvidas? Escreva para { $support }.
email-open = Abrir
link-expires-minutes = O link só pode ser usado uma vez e expira em { $minutes ->
    [one] { $minutes } minuto
   *[other] { $minutes } minutos
}.
link-expires-hours = O link só pode ser usado uma vez e expira em { $hours ->
    [one] { $hours } hora
   *[other] { $hours } horas
}.

## Account emails

reset-subject = { $brand }: redefina sua senha
reset-body = Alguém pediu para redefinir a senha da sua conta. Se foi você, use o link abaixo; se não, ignore este e-mail.
reset-action = Escolher uma nova senha
verify-subject = { $brand }: confirme seu e-mail
verify-body = Confirme que este endereço é seu. Enquanto você não fizer isso, os convites e os acessos de parceiro enviados para ele ficarão indisponíveis na sua conta.
verify-action = Confirmar meu e-mail
email-changed-subject = { $brand }: o e-mail da sua conta foi alterado
email-changed-body = O endereço de e-mail da sua conta acabou de ser alterado. Se não foi você, redefina sua senha e entre em contato com o suporte.
email-changed-action = Redefinir minha senha
account-ready-subject = { $brand }: sua conta está pronta
admin-ready-body = Uma conta de administrador de { $brand } foi criada para você. Escolha uma senha para entrar.
client-ready-body = { $partner } criou uma conta para você em { $brand }. Escolha uma senha para entrar.
set-password-action = Escolher uma senha
invitation-subject = Junte-se a { $org } em { $brand }
invitation-intro = { $inviter } convidou você para participar de { $org } em { $brand } como { $role ->
    [OWNER] proprietário
    [USER_ADMIN] administrador de usuários
   *[other] membro
}.
invitation-body = Aceite pelo link abaixo; se você ainda não tem uma conta, poderá criar uma lá mesmo.
invitation-expiry = O convite expira em { $date }.
invitation-action = Aceitar o convite
invitation-someone = Alguém

## Notifications: what they are about

notice-client = Cliente: conta { $account }, { $email }
notice-line = Linha { $number } “{ $name }”, válida até { $until }
notice-organization = Organização: { $name }
notice-space = Espaço: { $name }
notice-reason = Motivo: { $reason }
notice-until = Válido até: { $until }
notice-amount = Valor: { $amount }
notice-total = Total: { $total }

## Notifications: titles and lines

line-expiring-title = A linha { $number } expira em { $days ->
    [one] { $days } dia
   *[other] { $days } dias
}
line-expired-title = A linha { $number } expirou
channel-status-title = O canal { $channel } da linha { $number } agora está { $status ->
    [CONNECTED] conectado
    [DISCONNECTED] desconectado
    [PENDING] aguardando conexão
   *[other] com status { $status }
}
channel-status-change = { $from } → { $to }
client-attached-title = Um cliente se vinculou a você
client-detached-title = Um cliente se desvinculou de você
consent-granted-title = Acesso concedido a { $partner }
consent-revoked-title = Acesso de { $partner } revogado
impersonation-title = { $partner } entrou na sua conta
withdrawal-title = Saque { $number }: { $state ->
    [REQUESTED] solicitado
    [DOCUMENTS_SENT] em análise (documentos enviados)
    [APPROVED] aprovado
    [PAID] pago
    [REJECTED] recusado
   *[other] { $state }
}
order-paid-title = O pedido { $number } foi pago
refund-title = Seu pagamento do pedido { $number } foi estornado
withdrawal-documents-due-title = Os documentos do saque { $number } vencem em { $due }
withdrawal-documents-due-body = Envie o termo assinado e a fatura do saque { $number } até { $due }; caso contrário, o pagamento fica para a documentação do mês seguinte.
withdrawal-overdue-title = O saque { $number } está atrasado: { $step ->
    [DOCUMENTS] documentos não recebidos
    [ACT] termo não assinado
    [PAYMENT] não pago
   *[other] { $step }
}
withdrawal-overdue-body = O prazo era { $due }.
refund-body = O pagamento com cartão chegou depois que o pedido { $number } { $status ->
    [CANCELLED] foi cancelado
    [EXPIRED] expirou
   *[other] foi pago de outra forma
}; o valor total será estornado no cartão.
free-lead-title = Novo lead livre { $number }
my-lead-title = Novo lead { $number } para você
lead-company = Empresa: { $value }
lead-task = Tarefa: { $value }
lead-features = Recursos: { $value }
lead-country = País: { $value }
lead-language = Idioma: { $value }
domain-verified-title = O domínio { $host } foi verificado
domain-verified-body = { $host } agora funciona com a sua marca; defina-o como principal para usá-lo nos links e e-mails.
domain-failed-title = Não foi possível verificar o domínio { $host }
domain-last-check = Última verificação: { $error }
domain-create-record = Crie o registro { $record } e verifique o domínio novamente.
domain-expired-title = O domínio { $host } não funciona mais com a sua marca
domain-expired-body = O registro de verificação do domínio ficou incorreto ou ausente por { $days ->
    [one] { $days } dia seguido
   *[other] { $days } dias seguidos
}. Restaure o registro { $record } e verifique o domínio novamente.
domain-lost-title = O registro de verificação de { $host } não foi encontrado
domain-lost-body = O domínio ainda funciona com a sua marca. Restaure o registro { $record } em até { $days ->
    [one] { $days } dia
   *[other] { $days } dias
}, ou ele deixará de funcionar.

## What each kind of notification is about (the unsubscribe page)

kind-LINE_EXPIRING = as linhas que expiram em breve
kind-LINE_EXPIRED = as linhas expiradas
kind-CHANNEL_STATUS_CHANGED = as mudanças de status dos canais
kind-FREE_LEAD = os novos leads livres
kind-MY_LEAD = os novos leads direcionados a você
kind-CLIENT_ATTACHED = os clientes vinculados
kind-CLIENT_DETACHED = os clientes desvinculados
kind-CONSENT_GRANTED = os acessos concedidos
kind-CONSENT_REVOKED = os acessos revogados
kind-IMPERSONATION_STARTED = os acessos de parceiros à sua conta
kind-WITHDRAWAL_STATE_CHANGED = os saques
kind-ORDER_PAID = os pedidos pagos
kind-PAYMENT_REFUNDED = os estornos de pagamentos com cartão
kind-CUSTOM_DOMAIN = os domínios personalizados da sua marca
kind-WITHDRAWAL_DOCUMENTS_DUE = prazos de documentos de saques
kind-WITHDRAWAL_OVERDUE = saques atrasados

## The unsubscribe page

unsubscribe-ask = Parar de receber e-mails sobre { $kind }?
unsubscribe-button = Cancelar inscrição
unsubscribe-done = Pronto: você não receberá mais e-mails sobre { $kind }. Esses avisos continuam aparecendo no sino; reative os e-mails nas configurações de notificação.
unsubscribe-invalid = Este link de cancelamento de inscrição não é válido. Escolha quais e-mails você recebe nas configurações de notificação.
unsubscribe-error = Algo deu errado; tente novamente.

## The Telegram bot

telegram-hint = Abra o link “Conectar Telegram” nas configurações de notificação para receber as notificações aqui.
telegram-link-expired = Este link expirou ou já foi usado. Abra um novo nas configurações de notificação.
telegram-link-used = Este link já foi usado.
telegram-connected = Conectado: as notificações de { $brand } chegarão aqui.
