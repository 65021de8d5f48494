//! A tenant's Telegram bot. The token is a secret: this model is not `Debug`.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "telegram_bots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub tenant_id: i64,
    /// The Bot API token from @BotFather (secret).
    #[sea_orm(column_type = "Text")]
    pub bot_token: String,
    /// The bot's `@username`, without the `@` (the deep link's `t.me/<username>`).
    pub username: String,
    /// What Telegram sends in `X-Telegram-Bot-Api-Secret-Token` to our webhook.
    pub webhook_secret: String,
    /// Updates arrive by webhook (else the worker polls `getUpdates`).
    pub use_webhook: bool,
    /// The next `getUpdates` offset.
    pub update_offset: i64,
    pub updated_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramBot")
            .field("tenant_id", &self.tenant_id)
            .field("username", &self.username)
            .field("use_webhook", &self.use_webhook)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
