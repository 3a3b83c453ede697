//! Hosted checkout pages: `GET /{provider}/checkout/{id}` shows the payment with three buttons
//! (`#pay`, `#cancel`, `#fail`); `POST …/{id}/{pay|cancel|fail}` changes the state, delivers the
//! webhook(s) (first attempt before answering) and redirects the browser with 303 See Other.

use crate::actions;
use crate::delivery;
use crate::http::{Request, Response};
use crate::provider::Provider;
use crate::state::{Action, ActionOpts, App};
use crate::util::{self, html_escape};
use std::sync::Arc;

/// None when the path is not a checkout route.
pub fn handle(app: &Arc<App>, req: &Request) -> Option<Response> {
    let segs = util::path_segments(&req.path, true);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let (provider, id, action) = match segs.as_slice() {
        [p, "checkout", id] => (Provider::parse(p)?, *id, None),
        [p, "checkout", id, a] => (Provider::parse(p)?, *id, Some(*a)),
        _ => return None,
    };
    Some(match (req.method.as_str(), action) {
        ("GET", None) => page(app, provider, id),
        ("POST", Some(a @ ("pay" | "cancel" | "fail"))) => submit(app, provider, id, a),
        _ => html(
            405,
            "Method not allowed",
            "<p>Use the buttons on the checkout page.</p>",
        ),
    })
}

fn html(status: u16, title: &str, body: &str) -> Response {
    let doc = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title></head>\n\
         <body>\n<h1>{t}</h1>\n{body}\n</body></html>\n",
        t = html_escape(title)
    );
    Response::new(status, "text/html; charset=utf-8", doc.into_bytes())
}

fn page(app: &App, provider: Provider, id: &str) -> Response {
    let Some(s) = actions::summary(app, provider, id) else {
        return html(
            404,
            "Payment not found",
            "<p>No such payment in this sandbox.</p>",
        );
    };
    let base = format!("/{}/checkout/{}", provider.name(), id);
    let mut body = format!(
        "<p>Amount: <strong id=\"amount\">{}</strong> <span id=\"currency\">{}</span></p>\n\
         <p>Reference: <span id=\"reference\">{}</span></p>\n\
         <p>Description: <span id=\"description\">{}</span></p>\n\
         <p>Status: <span id=\"status\">{}</span></p>\n",
        html_escape(&s.amount),
        html_escape(&s.currency),
        html_escape(&s.reference),
        html_escape(&s.description),
        html_escape(&s.status),
    );
    for (action, label) in [("pay", "Pay"), ("cancel", "Cancel"), ("fail", "Fail")] {
        body.push_str(&format!(
            "<form id=\"{action}-form\" method=\"post\" action=\"{}/{action}\">\
             <button id=\"{action}\" type=\"submit\">{label}</button></form>\n",
            html_escape(&base)
        ));
    }
    html(200, provider.imp().checkout_title(), &body)
}

fn submit(app: &Arc<App>, provider: Provider, id: &str, action: &str) -> Response {
    let Some(action) = Action::parse(action) else {
        return html(404, "Unknown action", "");
    };
    match actions::apply(app, provider, id, action, &ActionOpts::default()) {
        Ok(t) => {
            delivery::deliver_all(app, t.webhooks);
            match t.redirect {
                Some(url) => Response::new(303, "text/html; charset=utf-8", Vec::new())
                    .with_header("Location", &url),
                None => html(200, provider.imp().checkout_title(), "<p>Done.</p>"),
            }
        }
        Err(e) => html(
            e.status,
            "Cannot do that",
            &format!("<p id=\"error\">{}</p>", html_escape(&e.message)),
        ),
    }
}
