//! The end of a refund the `refund_fails_async` fault (sandbox/README.md, `/_control/faults`) made
//! pending: a moment after the answer, the refund is marked failed and the provider's refund
//! webhook with that status goes out, as a provider's asynchronous refund failure would.

use crate::delivery;
use crate::provider::Provider;
use crate::state::App;
use std::sync::Arc;
use std::time::Duration;

/// Long enough for a caller to see `pending` in the answer and in a read right after it.
const FAIL_AFTER: Duration = Duration::from_millis(500);

/// Starts the background failure of every refund the fault made pending since the last call.
pub fn fail_later(app: &Arc<App>) {
    let due = std::mem::take(&mut app.lock().failing_refunds);
    for (provider, key, refund_id) in due {
        let app = app.clone();
        std::thread::spawn(move || {
            std::thread::sleep(FAIL_AFTER);
            let wh = Provider::parse(provider).and_then(|p| {
                p.imp()
                    .fail_refund(&app.cfg, &mut app.lock(), &key, &refund_id)
            });
            if let Some(wh) = wh {
                delivery::deliver_all(&app, vec![wh]);
            }
        });
    }
}
