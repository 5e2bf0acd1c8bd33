//! Markdown in descriptions and comments, rendered safely in the browser: raw HTML is shown as
//! text, links keep only http(s) and mailto targets and open in a new tab without a referrer,
//! and images become links (the page never loads anything from another host).

use leptos::prelude::*;
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// Whether a link target may be followed.
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// `text` as HTML that holds no markup of the author's own.
pub fn to_html(text: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(text, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        // A line break in a reply is meant as one (as in an email).
        Event::SoftBreak => Event::HardBreak,
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let dest_url = if safe_url(&dest_url) { dest_url } else { CowStr::Borrowed("#") };
            Event::Start(Tag::Link { link_type, dest_url, title, id })
        }
        Event::Start(Tag::Image { dest_url, title, id, .. }) => {
            let dest_url = if safe_url(&dest_url) { dest_url } else { CowStr::Borrowed("#") };
            Event::Start(Tag::Link { link_type: LinkType::Inline, dest_url, title, id })
        }
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out.replace("<a href=", "<a target=\"_blank\" rel=\"noopener noreferrer nofollow\" href=")
}

/// Rendered Markdown.
#[component]
pub fn Markdown(#[prop(into)] text: Signal<String>, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! { <div class=format!("markdown {class}") inner_html=move || to_html(&text.get())></div> }
}
