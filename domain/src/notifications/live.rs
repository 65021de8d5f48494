//! `notificationAdded`: the viewer's new bell items as they are written, for an open
//! WebSocket. A signal from the hub (`kernel::live`) for this tenant and user is a nudge;
//! the stream then reads the user's rows newer than the last it sent, in id order. So
//! items arrive once each and in order, whatever signals were doubled, merged or lost,
//! and an item is never sent to anyone but its owner (the rows are read through the
//! tenant scope and the viewer's id, as the bell's page is).

use std::collections::VecDeque;

use entities::notification;
use futures_util::Stream;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use tenants::RequestCtx;
use tokio::sync::broadcast::error::RecvError;

use crate::identity::accounts::signed_in;
use crate::kernel::error::ApiResult;
use crate::kernel::services::Services;

/// Rows read at a time; a full batch is followed by another read at once.
const BATCH: u64 = 100;

struct State {
    svc: Services,
    tenant_id: i64,
    user_id: i64,
    scope: RequestCtx,
    rx: tokio::sync::broadcast::Receiver<crate::kernel::live::Rang>,
    last: i64,
    ready: VecDeque<notification::Model>,
    /// The last read was a full batch: read again before waiting.
    more: bool,
}

/// The viewer's bell items written from now on.
pub async fn added(
    svc: &Services,
    req: &RequestCtx,
) -> ApiResult<impl Stream<Item = notification::Model> + Send + use<>> {
    let me = signed_in(req)?.user_id;
    // Subscribe first, then read where we stand: nothing written in between is missed.
    let rx = svc.live.subscribe();
    let last = super::bell::mine(req, me)
        .select_only()
        .column_as(notification::Column::Id.max(), "m")
        .into_tuple::<Option<i64>>()
        .one(&svc.db)
        .await?
        .flatten()
        .unwrap_or(0);
    let state = State {
        svc: svc.clone(),
        tenant_id: req.tenant_id(),
        user_id: me,
        scope: req.clone(),
        rx,
        last,
        ready: VecDeque::new(),
        more: false,
    };
    Ok(futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(n) = s.ready.pop_front() {
                return Some((n, s));
            }
            if !s.more {
                match s.rx.recv().await {
                    Ok(r) if r.tenant_id == s.tenant_id && r.user_id == s.user_id => {}
                    Ok(_) => continue,
                    // Fell behind the hub: read anyway, the rows say what is new.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return None,
                }
            }
            match newer(&s).await {
                Ok(rows) => {
                    s.more = rows.len() as u64 == BATCH;
                    if let Some(l) = rows.last() {
                        s.last = l.id;
                    }
                    s.ready.extend(rows);
                }
                Err(e) => {
                    s.more = false;
                    tracing::warn!(error = %e.message(), "reading new bell items failed");
                }
            }
        }
    }))
}

async fn newer(s: &State) -> ApiResult<Vec<notification::Model>> {
    Ok(super::bell::mine(&s.scope, s.user_id)
        .filter(notification::Column::Id.gt(s.last))
        .order_by_asc(notification::Column::Id)
        .limit(BATCH)
        .all(&s.svc.db)
        .await?)
}
