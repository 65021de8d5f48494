//! Telegram (SPEC §8): each tenant's own bot, people connecting their chat by a one-time
//! deep link, and notifications sent there through the outbox.
//!
//! - **The bot.** A tenant admin gives the bot's token (`configureTelegramBot`); `getMe`
//!   checks it and gives the username. Updates arrive by webhook (`POST
//!   /webhooks/telegram` on the tenant's host, with the secret Telegram echoes in
//!   `X-Telegram-Bot-Api-Secret-Token`) or, without a public URL, by polling `getUpdates`
//!   from the stored offset (the delivery worker, one instance per bot at a time: the bot's
//!   row is claimed with `FOR UPDATE SKIP LOCKED`).
//! - **Connecting.** `connectTelegram` answers `https://t.me/<bot>?start=<token>`: a random
//!   token, stored hashed, good once for 15 minutes. Telegram opens the bot and sends
//!   `/start <token>`; the update binds that chat to the user (one chat per user; a new one
//!   replaces it) and the bot says so. `disconnectTelegram` forgets the chat.
//! - **Sending.** The fan-out writes a `TELEGRAM` outbox message per recipient with a chat
//!   and the switch on (unique per event, user and channel); the delivery worker sends it
//!   with the tenant's bot and, on a 429, waits the `retry_after` Telegram asks for.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::{
    domain_event, outbox_message, telegram_bot, telegram_connection, telegram_link_token,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde_json::Value;
use tenants::scope::scoped;
use tenants::tokens::{hash_token, random_token};
use tenants::{Action, RequestCtx, authorize};

use super::kinds::{Channel, NotificationKind};
use crate::identity::accounts::signed_in;
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::i18n;
use crate::kernel::mail::SendError;
use crate::kernel::services::Services;
use crate::kernel::sql::statement;

/// How long a deep link may wait to be opened.
pub const LINK_TTL: Duration = Duration::from_secs(15 * 60);

/// The chats of `users` who connected Telegram (one query).
pub async fn chats_of(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    users: &[i64],
) -> ApiResult<HashMap<i64, String>> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(scoped::<telegram_connection::Entity>(tenant_id)
        .filter(telegram_connection::Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.user_id, c.chat_id))
        .collect())
}

/// Writes one Telegram message for the fan-out (unique per event, user and channel);
/// whether it was new.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue(
    db: &impl ConnectionTrait,
    ev: &domain_event::Model,
    kind: NotificationKind,
    to: &entities::user::Model,
    chat_id: &str,
    title: &str,
    lines: &[String],
    link: &str,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    super::messages::write_message(
        db,
        ev,
        kind,
        to.id,
        Channel::Telegram,
        super::messages::Message {
            tenant_id: to.tenant_id,
            recipient: chat_id.into(),
            sender: String::new(),
            reply_to: None,
            subject: title.into(),
            text: format!("{title}\n\n{}\n\n{link}", lines.join("\n")),
            html: String::new(),
        },
        now,
    )
    .await
}

async fn bot_of(
    db: &impl ConnectionTrait,
    tenant_id: i64,
) -> ApiResult<Option<telegram_bot::Model>> {
    Ok(telegram_bot::Entity::find()
        .filter(telegram_bot::Column::TenantId.eq(tenant_id))
        .one(db)
        .await?)
}

/// Sends one outbox message with the tenant's bot (the delivery worker).
pub async fn send(svc: &Services, m: &outbox_message::Model) -> Result<(), SendError> {
    let bot = bot_of(&svc.db, m.tenant_id).await.map_err(|e| SendError {
        permanent: false,
        message: format!("loading the bot: {}", e.message()),
        retry_after: None,
    })?;
    let Some(bot) = bot else {
        return Err(SendError {
            permanent: true,
            message: "the tenant has no Telegram bot".into(),
            retry_after: None,
        });
    };
    svc.telegram
        .send_message(&bot.bot_token, &m.recipient, &m.body_text)
        .await
        .map_err(|e| SendError {
            permanent: e.permanent(),
            message: e.to_string(),
            retry_after: e.retry_after,
        })
}

/// The tenant's bot as admins see it (never the token).
#[derive(Debug, Clone)]
pub struct BotInfo {
    pub username: String,
    pub use_webhook: bool,
}

/// `configureTelegramBot`: sets (or, with no token, removes) the tenant's bot. The token
/// is checked with `getMe`; with `use_webhook` Telegram is told to post updates to
/// `/webhooks/telegram` on the tenant's primary host, else the webhook is removed and the
/// worker polls.
pub async fn configure(
    svc: &Services,
    req: &RequestCtx,
    token: Option<&str>,
    use_webhook: bool,
) -> ApiResult<Option<BotInfo>> {
    let tenant_id = req.tenant_id();
    authorize(req, Action::EditTenantBranding { tenant_id })?;
    let now = svc.clock.now();
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        let txn = crate::kernel::txn::begin(&svc.db).await?;
        telegram_bot::Entity::delete_many()
            .filter(telegram_bot::Column::TenantId.eq(tenant_id))
            .exec(&txn)
            .await?;
        audit(&txn, req, tenant_id, None).await?;
        crate::kernel::txn::commit(txn, req).await?;
        return Ok(None);
    };
    if token.len() > 100 || !token.contains(':') {
        return Err(ApiError::bad_input(
            "botToken",
            "a bot token looks like 123456:ABC-DEF (from @BotFather)",
        ));
    }
    let unavailable = |e: crate::kernel::telegram::BotError| {
        if e.permanent() {
            ApiError::bad_input("botToken", "Telegram does not accept this bot token")
        } else {
            ApiError::domain(
                code::TELEGRAM_UNAVAILABLE,
                None,
                "Telegram could not be reached; try again",
            )
        }
    };
    let username = svc.telegram.get_me(token).await.map_err(unavailable)?;
    let secret = random_token();
    if use_webhook {
        let url =
            crate::kernel::links::tenant_url(&svc.settings, &req.tenant, "/webhooks/telegram");
        svc.telegram
            .set_webhook(token, &url, &secret)
            .await
            .map_err(unavailable)?;
    } else {
        svc.telegram
            .delete_webhook(token)
            .await
            .map_err(unavailable)?;
    }
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    telegram_bot::Entity::insert(telegram_bot::ActiveModel {
        tenant_id: Set(tenant_id),
        bot_token: Set(token.into()),
        username: Set(username.clone()),
        webhook_secret: Set(secret),
        use_webhook: Set(use_webhook),
        update_offset: Set(0),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(telegram_bot::Column::TenantId)
            .update_columns([
                telegram_bot::Column::BotToken,
                telegram_bot::Column::Username,
                telegram_bot::Column::WebhookSecret,
                telegram_bot::Column::UseWebhook,
                telegram_bot::Column::UpdateOffset,
                telegram_bot::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    let info = BotInfo {
        username,
        use_webhook,
    };
    audit(&txn, req, tenant_id, Some(&info)).await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(Some(info))
}

async fn audit(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    tenant_id: i64,
    info: Option<&BotInfo>,
) -> ApiResult<()> {
    crate::kernel::audit::record(
        db,
        req,
        None,
        crate::kernel::audit::action::TENANT_TELEGRAM_BOT_CONFIGURED,
        crate::kernel::audit::Target::Tenant(tenant_id),
        None,
        serde_json::json!({
            "bot": info.map(|i| i.username.clone()),
            "useWebhook": info.map(|i| i.use_webhook),
        }),
    )
    .await
}

/// The tenant's bot, for admins.
pub async fn bot(svc: &Services, req: &RequestCtx) -> ApiResult<Option<BotInfo>> {
    authorize(
        req,
        Action::EditTenantBranding {
            tenant_id: req.tenant_id(),
        },
    )?;
    Ok(bot_of(&svc.db, req.tenant_id()).await?.map(|b| BotInfo {
        username: b.username,
        use_webhook: b.use_webhook,
    }))
}

/// `connectTelegram`: a one-time deep link to the tenant's bot for the viewer.
pub async fn link(svc: &Services, req: &RequestCtx) -> ApiResult<(String, DateTime<Utc>)> {
    authorize(req, Action::ManageOwnNotifications)?;
    let me = signed_in(req)?.user_id;
    let bot = bot_of(&svc.db, req.tenant_id()).await?.ok_or_else(|| {
        ApiError::domain(
            code::TELEGRAM_NOT_CONFIGURED,
            None,
            "this brand has no Telegram bot yet",
        )
    })?;
    let now = svc.clock.now();
    let expires = now + chrono::Duration::from_std(LINK_TTL).unwrap_or_default();
    let token = random_token();
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    telegram_link_token::Entity::insert(telegram_link_token::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        user_id: Set(me),
        token_hash: Set(hash_token(&token)),
        expires_at: Set(expires),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok((
        format!("https://t.me/{}?start={token}", bot.username),
        expires,
    ))
}

/// The viewer's connected chat.
pub async fn connection(
    svc: &Services,
    req: &RequestCtx,
) -> ApiResult<Option<telegram_connection::Model>> {
    let me = signed_in(req)?.user_id;
    Ok(scoped::<telegram_connection::Entity>(req.tenant_id())
        .filter(telegram_connection::Column::UserId.eq(me))
        .one(&svc.db)
        .await?)
}

/// `disconnectTelegram`: forgets the viewer's chat; whether there was one.
pub async fn disconnect(svc: &Services, req: &RequestCtx) -> ApiResult<bool> {
    authorize(req, Action::ManageOwnNotifications)?;
    let me = signed_in(req)?.user_id;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let gone = telegram_connection::Entity::delete_many()
        .filter(telegram_connection::Column::TenantId.eq(req.tenant_id()))
        .filter(telegram_connection::Column::UserId.eq(me))
        .exec(&txn)
        .await?
        .rows_affected;
    crate::kernel::txn::commit(txn, req).await?;
    Ok(gone > 0)
}

/// Handles one update of a tenant's bot: `/start <token>` binds the chat. Whatever else
/// arrives is answered with a hint. Answers what the bot replied.
pub async fn handle_update(
    svc: &Services,
    bot: &telegram_bot::Model,
    update: &Value,
) -> ApiResult<Option<String>> {
    let msg = &update["message"];
    let (Some(text), Some(chat)) = (msg["text"].as_str(), msg["chat"]["id"].as_i64()) else {
        return Ok(None);
    };
    let chat_id = chat.to_string();
    // A chat that is someone's is answered in their account's language; until then in the
    // language the person's Telegram app is set to, else the brand's.
    let account_language = chat_owner_language(svc, bot.tenant_id, &chat_id).await?;
    let brand_language = svc
        .registry
        .by_id(bot.tenant_id)
        .map(|t| t.model.default_language.clone())
        .unwrap_or_default();
    let lang = account_language
        .as_deref()
        .or(msg["from"]["language_code"].as_str())
        .unwrap_or(&brand_language);
    let reply = match text.trim().strip_prefix("/start") {
        Some(arg) if !arg.trim().is_empty() => {
            bind(
                svc,
                bot,
                arg.trim(),
                &chat_id,
                msg["from"]["username"].as_str(),
                lang,
            )
            .await?
        }
        _ => i18n::t(lang, "telegram-hint"),
    };
    if let Err(e) = svc
        .telegram
        .send_message(&bot.bot_token, &chat_id, &reply)
        .await
    {
        tracing::info!(error = %e, tenant_id = bot.tenant_id, "telegram reply not sent");
    }
    Ok(Some(reply))
}

/// The language of the account the chat `chat_id` is bound to, if it is bound.
async fn chat_owner_language(
    svc: &Services,
    tenant_id: i64,
    chat_id: &str,
) -> ApiResult<Option<String>> {
    let Some(c) = scoped::<telegram_connection::Entity>(tenant_id)
        .filter(telegram_connection::Column::ChatId.eq(chat_id))
        .one(&svc.db)
        .await?
    else {
        return Ok(None);
    };
    Ok(scoped::<entities::user::Entity>(tenant_id)
        .filter(entities::user::Column::Id.eq(c.user_id))
        .one(&svc.db)
        .await?
        .map(|u| u.language))
}

async fn bind(
    svc: &Services,
    bot: &telegram_bot::Model,
    token: &str,
    chat_id: &str,
    username: Option<&str>,
    lang: &str,
) -> ApiResult<String> {
    let now = svc.clock.now();
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let found = scoped::<telegram_link_token::Entity>(bot.tenant_id)
        .filter(telegram_link_token::Column::TokenHash.eq(hash_token(token)))
        .filter(telegram_link_token::Column::UsedAt.is_null())
        .filter(telegram_link_token::Column::ExpiresAt.gt(now))
        .one(&txn)
        .await?;
    let Some(t) = found else {
        return Ok(i18n::t(lang, "telegram-link-expired"));
    };
    // Used once, whoever gets here first.
    let used = telegram_link_token::Entity::update_many()
        .col_expr(
            telegram_link_token::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(telegram_link_token::Column::Id.eq(t.id))
        .filter(telegram_link_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if used == 0 {
        return Ok(i18n::t(lang, "telegram-link-used"));
    }
    telegram_connection::Entity::insert(telegram_connection::ActiveModel {
        tenant_id: Set(bot.tenant_id),
        user_id: Set(t.user_id),
        chat_id: Set(chat_id.into()),
        username: Set(username.map(str::to_string)),
        connected_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(telegram_connection::Column::UserId)
            .update_columns([
                telegram_connection::Column::ChatId,
                telegram_connection::Column::Username,
                telegram_connection::Column::ConnectedAt,
            ])
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    // From now on the chat is the account's: answered in the account's language.
    let language = scoped::<entities::user::Entity>(bot.tenant_id)
        .filter(entities::user::Column::Id.eq(t.user_id))
        .one(&txn)
        .await?
        .map(|u| u.language);
    txn.commit().await?;
    let brand = svc
        .registry
        .by_id(bot.tenant_id)
        .map(|t| t.model.display_name.clone())
        .unwrap_or_default();
    Ok(i18n::tr(
        language.as_deref().unwrap_or(lang),
        "telegram-connected",
        &[("brand", brand.into())],
    ))
}

/// `POST /webhooks/telegram` on a tenant's host: `None` when the secret does not match
/// (or the tenant has no webhook bot), else what the bot replied.
pub async fn webhook(
    svc: &Services,
    tenant_id: i64,
    secret: Option<&str>,
    update: &Value,
) -> ApiResult<Option<Option<String>>> {
    let Some(bot) = bot_of(&svc.db, tenant_id).await? else {
        return Ok(None);
    };
    // Compared as digests: the time taken says nothing about the secret.
    let given = hash_token(secret.unwrap_or(""));
    if !bot.use_webhook || given != hash_token(&bot.webhook_secret) {
        return Ok(None);
    }
    Ok(Some(handle_update(svc, &bot, update).await?))
}

/// Fetches and handles pending updates of every polling bot; how many were handled. Each
/// bot's row is claimed for the duration, so two instances never read the same updates.
pub async fn poll(svc: &Services) -> ApiResult<u64> {
    let bots: Vec<i64> = telegram_bot::Entity::find()
        .filter(telegram_bot::Column::UseWebhook.eq(false))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let mut handled = 0;
    for id in bots {
        let txn = crate::kernel::txn::begin(&svc.db).await?;
        let skip_locked = crate::kernel::sql::skip_locked(&txn);
        let claimed = txn
            .query_one_raw(statement(
                &txn,
                &format!(
                    "SELECT id FROM telegram_bots WHERE id = ? AND use_webhook = ?{skip_locked}"
                ),
                vec![id.into(), false.into()],
            ))
            .await?;
        if claimed.is_none() {
            continue;
        }
        let Some(bot) = telegram_bot::Entity::find_by_id(id).one(&txn).await? else {
            continue;
        };
        let updates = match svc
            .telegram
            .get_updates(&bot.bot_token, bot.update_offset, 0)
            .await
        {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(error = %e, tenant_id = bot.tenant_id, "telegram getUpdates failed");
                continue;
            }
        };
        let mut offset = bot.update_offset;
        for u in &updates {
            if let Some(uid) = u["update_id"].as_i64() {
                offset = offset.max(uid + 1);
            }
        }
        let bot = if offset != bot.update_offset {
            let mut a = bot.into_active_model();
            a.update_offset = Set(offset);
            a.update(&txn).await?
        } else {
            bot
        };
        // The offset is stored before the updates are handled (each in its own
        // transaction): an update is handled at most once.
        txn.commit().await?;
        for u in &updates {
            if let Err(e) = handle_update(svc, &bot, u).await {
                tracing::warn!(error = %e.message(), "telegram update not handled");
            }
            handled += 1;
        }
    }
    Ok(handled)
}
