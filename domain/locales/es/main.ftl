# Every text the product writes for a person, in Spanish. Each language has the same
# messages (a test fails when one is missing). Brand names, hosts, numbers and amounts come
# in as variables; amounts and dates are already written the reader's way.

## Shared by emails

# How dates and times are written (a chrono format; times are UTC).
date-time-format = %-d de %B de %Y, %H:%M UTC
email-hello = Hola:
email-hello-name = Hola, { $name }:
email-questions = ¿Tiene alguna pregunta? Escriba a { $support }.
email-open = Abrir
link-expires-minutes = El enlace solo se puede usar una vez y caduca en { $minutes ->
    [one] { $minutes } minuto
   *[other] { $minutes } minutos
}.
link-expires-hours = El enlace solo se puede usar una vez y caduca en { $hours ->
    [one] { $hours } hora
   *[other] { $hours } horas
}.

## Account emails

reset-subject = Restablezca su contraseña de { $brand }
reset-body = Alguien ha solicitado restablecer la contraseña de su cuenta. Si fue usted, siga el enlace de abajo; si no, ignore este correo.
reset-action = Elegir una nueva contraseña
verify-subject = Confirme su correo electrónico en { $brand }
verify-body = Confirme que esta dirección es suya. Hasta que lo haga, las invitaciones y los accesos de socio enviados a ella no estarán disponibles en su cuenta.
verify-action = Confirmar mi correo
email-changed-subject = Se ha cambiado el correo electrónico de su cuenta de { $brand }
email-changed-body = La dirección de correo electrónico de su cuenta acaba de cambiar. Si no fue usted, restablezca su contraseña y póngase en contacto con el soporte.
email-changed-action = Restablecer mi contraseña
account-ready-subject = Su cuenta de { $brand } está lista
admin-ready-body = Se ha creado para usted una cuenta de administrador de { $brand }. Elija una contraseña para iniciar sesión.
client-ready-body = { $partner } ha creado una cuenta para usted en { $brand }. Elija una contraseña para iniciar sesión.
set-password-action = Elegir una contraseña
invitation-subject = Únase a { $org } en { $brand }
invitation-intro = { $inviter } le invita a unirse a { $org } en { $brand } como { $role ->
    [OWNER] propietario
    [USER_ADMIN] administrador de usuarios
   *[other] miembro
}.
invitation-body = Acepte la invitación con el enlace de abajo; si aún no tiene una cuenta, podrá crearla allí.
invitation-expiry = La invitación caduca el { $date }.
invitation-action = Aceptar la invitación
invitation-someone = Alguien

## Notifications: what they are about

notice-client = Cliente: cuenta { $account }, { $email }
notice-line = Línea { $number } «{ $name }», válida hasta el { $until }
notice-organization = Organización: { $name }
notice-space = Espacio: { $name }
notice-reason = Motivo: { $reason }
notice-until = Válido hasta: { $until }
notice-amount = Importe: { $amount }
notice-total = Total: { $total }

## Notifications: titles and lines

line-expiring-title = La línea { $number } vence en { $days ->
    [one] { $days } día
   *[other] { $days } días
}
line-expired-title = La línea { $number } ha vencido
channel-status-title = El canal { $channel } de la línea { $number } ahora está { $status ->
    [CONNECTED] conectado
    [DISCONNECTED] desconectado
    [PENDING] pendiente de conexión
   *[other] en estado { $status }
}
channel-status-change = { $from } → { $to }
client-attached-title = Un cliente se ha vinculado a usted
client-detached-title = Un cliente se ha desvinculado de usted
consent-granted-title = Acceso concedido a { $partner }
consent-revoked-title = Se ha revocado el acceso de { $partner }
impersonation-title = { $partner } ha iniciado sesión en su cuenta
withdrawal-title = Retiro { $number }: { $state ->
    [REQUESTED] solicitado
    [DOCUMENTS_SENT] en revisión (documentos enviados)
    [APPROVED] aprobado
    [PAID] pagado
    [REJECTED] rechazado
   *[other] { $state }
}
order-paid-title = El pedido { $number } se ha pagado
refund-title = Se ha reembolsado su pago del pedido { $number }
withdrawal-documents-due-title = Los documentos del retiro { $number } vencen el { $due }
withdrawal-documents-due-body = Envíe el acta firmada y la factura del retiro { $number } antes del { $due }; si no, su pago pasa a la documentación del mes siguiente.
withdrawal-overdue-title = El retiro { $number } está vencido: { $step ->
    [DOCUMENTS] documentos no recibidos
    [ACT] acta sin firmar
    [PAYMENT] sin pagar
   *[other] { $step }
}
withdrawal-overdue-body = El plazo era el { $due }.
refund-body = El pago con tarjeta llegó cuando el pedido { $number } ya { $status ->
    [CANCELLED] estaba cancelado
    [EXPIRED] había vencido
   *[other] se había pagado de otra forma
}; el importe total se devolverá a la tarjeta.
free-lead-title = Nuevo lead libre { $number }
my-lead-title = Nuevo lead { $number } para usted
lead-company = Empresa: { $value }
lead-task = Tarea: { $value }
lead-features = Funciones: { $value }
lead-country = País: { $value }
lead-language = Idioma: { $value }
domain-verified-title = El dominio { $host } está verificado
domain-verified-body = { $host } ya funciona con su marca; márquelo como principal para usarlo en los enlaces y los correos.
domain-failed-title = No se pudo verificar el dominio { $host }
domain-last-check = Última comprobación: { $error }
domain-create-record = Cree el registro { $record } y vuelva a comprobar el dominio.
domain-expired-title = El dominio { $host } ya no funciona con su marca
domain-expired-body = El registro de verificación del dominio fue incorrecto o faltó durante { $days ->
    [one] { $days } día seguido
   *[other] { $days } días seguidos
}. Restaure el registro { $record } y vuelva a comprobar el dominio.
domain-lost-title = Falta el registro de verificación de { $host }
domain-lost-body = El dominio sigue funcionando con su marca. Restaure el registro { $record } en un plazo de { $days ->
    [one] { $days } día
   *[other] { $days } días
}; de lo contrario, dejará de funcionar.

## What each kind of notification is about (the unsubscribe page)

kind-LINE_EXPIRING = las líneas que vencen pronto
kind-LINE_EXPIRED = las líneas vencidas
kind-CHANNEL_STATUS_CHANGED = los cambios de estado de los canales
kind-FREE_LEAD = los nuevos leads libres
kind-MY_LEAD = los nuevos leads dirigidos a usted
kind-CLIENT_ATTACHED = los clientes vinculados
kind-CLIENT_DETACHED = los clientes desvinculados
kind-CONSENT_GRANTED = los accesos concedidos
kind-CONSENT_REVOKED = los accesos revocados
kind-IMPERSONATION_STARTED = los inicios de sesión de socios en su cuenta
kind-WITHDRAWAL_STATE_CHANGED = los retiros
kind-ORDER_PAID = los pedidos pagados
kind-PAYMENT_REFUNDED = los reembolsos de pagos con tarjeta
kind-CUSTOM_DOMAIN = los dominios personalizados de su marca
kind-WITHDRAWAL_DOCUMENTS_DUE = los plazos de documentos de retiros
kind-WITHDRAWAL_OVERDUE = los retiros vencidos

## The unsubscribe page

unsubscribe-ask = ¿Dejar de recibir correos sobre { $kind }?
unsubscribe-button = Darse de baja
unsubscribe-done = Listo: ya no recibirá correos sobre { $kind }. Seguirá viendo estos avisos en la campana; puede volver a activar los correos en la configuración de notificaciones.
unsubscribe-invalid = Este enlace para darse de baja no es válido. Elija qué correos recibe en la configuración de notificaciones.
unsubscribe-error = Algo salió mal; inténtelo de nuevo.

## The Telegram bot

telegram-hint = Abra el enlace «Conectar Telegram» en la configuración de notificaciones para recibir las notificaciones aquí.
telegram-link-expired = Este enlace ha caducado o ya se ha utilizado. Abra uno nuevo desde la configuración de notificaciones.
telegram-link-used = Este enlace ya se ha utilizado.
telegram-connected = Conectado: las notificaciones de { $brand } llegarán aquí.
