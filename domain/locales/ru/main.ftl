# Every text the product writes for a person, in Russian. Each language has the same
# messages (a test fails when one is missing). Brand names, hosts, numbers and amounts come
# in as variables; amounts and dates are already written the reader's way.

## Shared by emails

# How dates and times are written (a chrono format; times are UTC).
date-time-format = %-d %B %Y, %H:%M UTC
email-hello = Здравствуйте!
email-hello-name = Здравствуйте, { $name }!
email-questions = Остались вопросы? Напишите на { $support }.
email-open = Открыть
link-expires-minutes = Ссылка одноразовая и действует { $minutes ->
    [one] { $minutes } минуту
    [few] { $minutes } минуты
    [many] { $minutes } минут
   *[other] { $minutes } минуты
}.
link-expires-hours = Ссылка одноразовая и действует { $hours ->
    [one] { $hours } час
    [few] { $hours } часа
    [many] { $hours } часов
   *[other] { $hours } часа
}.

## Account emails

reset-subject = Сброс пароля в { $brand }
reset-body = Кто-то запросил сброс пароля от вашего аккаунта. Если это были вы, перейдите по ссылке ниже; если нет — просто проигнорируйте это письмо.
reset-action = Задать новый пароль
verify-subject = Подтвердите email в { $brand }
verify-body = Подтвердите, что этот адрес принадлежит вам. Пока вы этого не сделаете, приглашения и партнёрский доступ, отправленные на него, останутся недоступны в вашем аккаунте.
verify-action = Подтвердить email
email-changed-subject = Email вашего аккаунта в { $brand } изменён
email-changed-body = Адрес электронной почты вашего аккаунта только что изменён. Если это сделали не вы, сбросьте пароль и обратитесь в поддержку.
email-changed-action = Сбросить пароль
account-ready-subject = Ваш аккаунт в { $brand } готов
admin-ready-body = Для вас создан аккаунт администратора { $brand }. Задайте пароль, чтобы войти.
client-ready-body = Партнёр { $partner } создал для вас аккаунт в { $brand }. Задайте пароль, чтобы войти.
set-password-action = Задать пароль
invitation-subject = Присоединяйтесь к { $org } в { $brand }
invitation-intro = { $inviter } приглашает вас присоединиться к { $org } в { $brand } в роли { $role ->
    [OWNER] владельца
    [USER_ADMIN] администратора пользователей
   *[other] участника
}.
invitation-body = Примите приглашение по ссылке ниже; если у вас ещё нет аккаунта, там же можно его создать.
invitation-expiry = Приглашение действительно до { $date }.
invitation-action = Принять приглашение
invitation-someone = Кто-то

## Notifications: what they are about

notice-client = Клиент: аккаунт { $account }, { $email }
notice-line = Линия { $number } «{ $name }», действует до { $until }
notice-organization = Организация: { $name }
notice-space = Проект: { $name }
notice-reason = Причина: { $reason }
notice-until = Действует до: { $until }
notice-amount = Сумма: { $amount }
notice-total = Итого: { $total }

## Notifications: titles and lines

line-expiring-title = Срок действия линии { $number } истекает через { $days ->
    [one] { $days } день
    [few] { $days } дня
    [many] { $days } дней
   *[other] { $days } дня
}
line-expired-title = Срок действия линии { $number } истёк
channel-status-title = Канал { $channel } линии { $number } теперь { $status ->
    [CONNECTED] подключён
    [DISCONNECTED] отключён
    [PENDING] ожидает подключения
   *[other] в статусе { $status }
}
channel-status-change = { $from } → { $to }
client-attached-title = К вам присоединился клиент
client-detached-title = Клиент открепился от вас
consent-granted-title = Доступ предоставлен партнёру { $partner }
consent-revoked-title = Доступ партнёра { $partner } отозван
impersonation-title = Партнёр { $partner } вошёл в ваш аккаунт
withdrawal-title = Вывод средств { $number }: { $state ->
    [REQUESTED] запрошен
    [DOCUMENTS_SENT] ожидает проверки (документы отправлены)
    [APPROVED] одобрен
    [PAID] выплачен
    [REJECTED] отклонён
   *[other] { $state }
}
order-paid-title = Заказ { $number } оплачен
refund-title = Платёж за заказ { $number } возвращён
withdrawal-documents-due-title = Документы по выводу { $number } нужно прислать до { $due }
withdrawal-documents-due-body = Пришлите подписанный акт и счёт по выводу { $number } до { $due }, иначе выплата перейдёт на документооборот следующего месяца.
withdrawal-overdue-title = Вывод { $number } просрочен: { $step ->
    [DOCUMENTS] документы не получены
    [ACT] акт не подписан
    [PAYMENT] не выплачен
   *[other] { $step }
}
withdrawal-overdue-body = Срок истёк { $due }.
refund-body = Оплата картой поступила, когда заказ { $number } { $status ->
    [CANCELLED] уже был отменён
    [EXPIRED] уже истёк
   *[other] уже был оплачен другим способом
}; вся сумма вернётся на карту.
free-lead-title = Новый свободный лид { $number }
my-lead-title = Новый лид { $number } для вас
lead-company = Компания: { $value }
lead-task = Задача: { $value }
lead-features = Функции: { $value }
lead-country = Страна: { $value }
lead-language = Язык: { $value }
domain-verified-title = Домен { $host } подтверждён
domain-verified-body = { $host } теперь работает для вашего бренда; сделайте его основным, чтобы использовать в ссылках и письмах.
domain-failed-title = Не удалось подтвердить домен { $host }
domain-last-check = Последняя проверка: { $error }
domain-create-record = Создайте запись { $record } и проверьте домен ещё раз.
domain-expired-title = Домен { $host } больше не работает для вашего бренда
domain-expired-body = Проверочная запись домена отсутствовала или была неверной { $days ->
    [one] { $days } день
    [few] { $days } дня
    [many] { $days } дней
   *[other] { $days } дня
} подряд. Восстановите запись { $record } и проверьте домен ещё раз.
domain-lost-title = Проверочная запись домена { $host } не найдена
domain-lost-body = Домен пока работает для вашего бренда. Восстановите запись { $record } в течение { $days ->
    [one] { $days } дня
    [few] { $days } дней
    [many] { $days } дней
   *[other] { $days } дня
}, иначе он перестанет работать.

## What each kind of notification is about (the unsubscribe page)

kind-LINE_EXPIRING = о линиях, срок действия которых скоро истекает
kind-LINE_EXPIRED = об истёкших линиях
kind-CHANNEL_STATUS_CHANGED = об изменении статуса каналов
kind-FREE_LEAD = о новых свободных лидах
kind-MY_LEAD = о новых лидах, адресованных вам
kind-CLIENT_ATTACHED = о закреплении клиентов за вами
kind-CLIENT_DETACHED = об откреплении клиентов
kind-CONSENT_GRANTED = о предоставлении доступа
kind-CONSENT_REVOKED = об отзыве доступа
kind-IMPERSONATION_STARTED = о входе партнёров в ваш аккаунт
kind-WITHDRAWAL_STATE_CHANGED = о выводе средств
kind-ORDER_PAID = об оплаченных заказах
kind-PAYMENT_REFUNDED = о возвратах платежей по картам
kind-CUSTOM_DOMAIN = о собственных доменах вашего бренда
kind-WITHDRAWAL_DOCUMENTS_DUE = о сроках документов по выводу
kind-WITHDRAWAL_OVERDUE = о просроченных выводах

## The unsubscribe page

unsubscribe-ask = Отписаться от писем { $kind }?
unsubscribe-button = Отписаться
unsubscribe-done = Готово: вы больше не будете получать письма { $kind }. Эти уведомления по-прежнему будут появляться в колокольчике; снова включить письма можно в настройках уведомлений.
unsubscribe-invalid = Эта ссылка для отписки недействительна. Выбрать, какие письма вы получаете, можно в настройках уведомлений.
unsubscribe-error = Что-то пошло не так; попробуйте ещё раз.

## The Telegram bot

telegram-hint = Чтобы получать уведомления здесь, откройте ссылку «Подключить Telegram» в настройках уведомлений.
telegram-link-expired = Эта ссылка устарела или уже была использована. Откройте новую в настройках уведомлений.
telegram-link-used = Эта ссылка уже была использована.
telegram-connected = Подключено: уведомления { $brand } будут приходить сюда.
