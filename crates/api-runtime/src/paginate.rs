//! Auto-pagination: a list operation's pages, or its items, as a `Stream`, each page an
//! ordinary call (retries, redaction, its own tracing span).
//!
//! The generated builder of a paginated operation hands over a [`Paging`]: how to read the
//! next cursor, `has_more` and the item count from a typed page, and how to set the cursor on
//! a copy of the builder (every other argument the caller set, such as a page size, is kept).
//! The walk stops on a missing or null cursor, an empty page or `has_more: false`; a cursor
//! that repeats ends it with [`Error::Pagination`] instead of looping.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use futures_core::Stream;
use progenitor_client::ResponseValue;

use crate::Error;

/// A next-page cursor as an answer carries it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cursor {
    Text(String),
    Number(f64),
}

impl Cursor {
    /// As text, for a string parameter (a whole number without a fraction).
    pub fn into_text(self) -> String {
        match self {
            Cursor::Text(text) => text,
            Cursor::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => format!("{}", n as i64),
            Cursor::Number(n) => n.to_string(),
        }
    }

    /// As a number, for a number parameter (a numeric string is read as one).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cursor::Text(text) => text.parse().ok(),
            Cursor::Number(n) => Some(*n),
        }
    }

    /// As an integer, for an integer parameter.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_f64().filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15).map(|n| n as i64)
    }

    fn key(&self) -> Key {
        match self {
            Cursor::Text(text) => Key::Text(text.clone()),
            Cursor::Number(n) => Key::Number(n.to_bits()),
        }
    }
}

/// A cursor as the walk remembers it, to find one that repeats.
#[derive(Debug, PartialEq, Eq, Hash)]
enum Key {
    Text(String),
    Number(u64),
}

/// A field that may hold a cursor: `None` when absent, null or empty.
pub trait ToCursor {
    fn to_cursor(&self) -> Option<Cursor>;
}

impl ToCursor for String {
    fn to_cursor(&self) -> Option<Cursor> {
        (!self.is_empty()).then(|| Cursor::Text(self.clone()))
    }
}

impl ToCursor for f64 {
    fn to_cursor(&self) -> Option<Cursor> {
        self.is_finite().then_some(Cursor::Number(*self))
    }
}

macro_rules! integer_cursor {
    ($($t:ty),*) => {$(
        impl ToCursor for $t {
            fn to_cursor(&self) -> Option<Cursor> {
                Some(Cursor::Number(*self as f64))
            }
        }
    )*};
}
integer_cursor!(i64, u64, i32, u32, i16, u16, i8, u8);

impl ToCursor for f32 {
    fn to_cursor(&self) -> Option<Cursor> {
        f64::from(*self).to_cursor()
    }
}

impl<T: ToCursor> ToCursor for Option<T> {
    fn to_cursor(&self) -> Option<Cursor> {
        self.as_ref().and_then(ToCursor::to_cursor)
    }
}

impl<T: ToCursor> ToCursor for Box<T> {
    fn to_cursor(&self) -> Option<Cursor> {
        (**self).to_cursor()
    }
}

/// How an operation pages, as its generated builder describes it.
pub struct Paging<B, P> {
    /// The next page's cursor in a page.
    pub cursor: fn(&P) -> Option<Cursor>,
    /// The page's own "more to come" flag, where the answer has one.
    pub has_more: fn(&P) -> Option<bool>,
    /// How many items the page holds.
    pub count: fn(&P) -> usize,
    /// The builder for the page after: `cursor` set, everything else kept. `Err` when the
    /// cursor is not of the parameter's type.
    pub advance: fn(B, Cursor) -> Result<B, &'static str>,
}

/// The pages of a paginated operation, each a typed answer. Created by the builder's `pages()`.
/// `F` is the builder's `send` future: one page is in flight at a time, in one allocation
/// reused for every page.
pub struct Pages<B, P, E, F> {
    operation: &'static str,
    next: Option<B>,
    in_flight: Option<Pin<Box<F>>>,
    /// Whether `in_flight` holds a page not yet answered (else a finished future, or none).
    running: bool,
    send: fn(B) -> F,
    paging: Paging<B, P>,
    seen: HashSet<Key>,
    pages: u64,
    /// Why the walk cannot go on, delivered after the page that showed it.
    failed: Option<Error<E>>,
}

impl<B, P, E, F> Pages<B, P, E, F> {
    /// The walk starting with `first` (the caller's builder), each page sent by `send`.
    pub fn new(operation: &'static str, first: B, send: fn(B) -> F, paging: Paging<B, P>) -> Self {
        Pages {
            operation,
            next: Some(first),
            in_flight: None,
            running: false,
            send,
            paging,
            seen: HashSet::new(),
            pages: 0,
            failed: None,
        }
    }

    /// Pages delivered so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// The items of each page, one by one (`items` takes them out of a page).
    pub fn items<I>(self, items: fn(P) -> Vec<I>) -> Items<B, P, E, I, F> {
        Items { pages: self, items, buffer: Vec::new().into_iter() }
    }

    /// What follows `page`: the builder for the next one, `None` at the end; `Err` names why
    /// paging cannot go on (the caller turns it into [`Error::Pagination`]).
    fn after(&mut self, builder: B, page: &P) -> Result<Option<B>, &'static str> {
        if (self.paging.count)(page) == 0 || (self.paging.has_more)(page) == Some(false) {
            return Ok(None);
        }
        let Some(cursor) = (self.paging.cursor)(page) else { return Ok(None) };
        if !self.seen.insert(cursor.key()) {
            return Err("the next-page cursor repeats an earlier one");
        }
        (self.paging.advance)(builder, cursor).map(Some)
    }
}

impl<B, P, E, F> Stream for Pages<B, P, E, F>
where
    B: Clone + Unpin,
    P: Unpin,
    E: Unpin,
    F: Future<Output = Result<ResponseValue<P>, Error<E>>>,
{
    type Item = Result<ResponseValue<P>, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(error) = this.failed.take() {
            return Poll::Ready(Some(Err(error)));
        }
        if !this.running {
            let Some(builder) = this.next.clone() else { return Poll::Ready(None) };
            let page = (this.send)(builder);
            match this.in_flight.as_mut() {
                // The last page's finished future goes; its allocation takes this one.
                Some(slot) => slot.set(page),
                None => this.in_flight = Some(Box::pin(page)),
            }
            this.running = true;
        }
        let Some(in_flight) = this.in_flight.as_mut() else { return Poll::Ready(None) };
        let result = std::task::ready!(in_flight.as_mut().poll(cx));
        this.running = false;
        let builder = this.next.take();
        match result {
            Ok(page) => {
                this.pages += 1;
                match builder.map(|b| this.after(b, &page)) {
                    Some(Ok(next)) => this.next = next,
                    // This page is still the caller's; the error comes next, then the end.
                    Some(Err(reason)) => {
                        this.failed = Some(Error::Pagination { operation: this.operation, pages: this.pages, reason })
                    }
                    None => {}
                }
                Poll::Ready(Some(Ok(page)))
            }
            Err(error) => Poll::Ready(Some(Err(error))),
        }
    }
}

/// The items of a paginated operation, across its pages. Created by the builder's `stream()`.
pub struct Items<B, P, E, I, F> {
    pages: Pages<B, P, E, F>,
    items: fn(P) -> Vec<I>,
    buffer: std::vec::IntoIter<I>,
}

impl<B, P, E, I, F> Items<B, P, E, I, F> {
    /// Pages fetched so far.
    pub fn pages(&self) -> u64 {
        self.pages.pages
    }
}

impl<B, P, E, I, F> Stream for Items<B, P, E, I, F>
where
    B: Clone + Unpin,
    P: Unpin,
    E: Unpin,
    I: Unpin,
    F: Future<Output = Result<ResponseValue<P>, Error<E>>>,
{
    type Item = Result<I, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.buffer = (this.items)(page.into_inner()).into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page: its items and the cursor it names.
    #[derive(Debug)]
    struct Page {
        items: Vec<u32>,
        next: Option<String>,
        has_more: Option<bool>,
    }

    /// The builder: which cursor it asks with.
    #[derive(Debug, Clone, Default)]
    struct Ask(Option<String>);

    /// The server: pages by cursor (`None` = the first).
    fn serve(ask: Ask) -> std::future::Ready<Result<ResponseValue<Page>, Error<()>>> {
        let page = match ask.0.as_deref() {
            None => Page { items: vec![1, 2], next: Some("b".into()), has_more: None },
            Some("b") => Page { items: vec![3], next: Some("c".into()), has_more: Some(true) },
            Some("c") => Page { items: vec![4, 5], next: Some("d".into()), has_more: Some(false) },
            // A server whose cursor comes round again.
            Some("loop") => Page { items: vec![9], next: Some("loop".into()), has_more: None },
            _ => Page { items: vec![], next: Some("never".into()), has_more: None },
        };
        std::future::ready(Ok(ResponseValue::new(page, reqwest::StatusCode::OK, reqwest::header::HeaderMap::new())))
    }

    fn paging() -> Paging<Ask, Page> {
        Paging {
            cursor: |page| page.next.to_cursor(),
            has_more: |page| page.has_more,
            count: |page| page.items.len(),
            advance: |_, cursor| Ok(Ask(Some(cursor.into_text()))),
        }
    }

    async fn collect<S: Stream + Unpin>(mut stream: S) -> Vec<S::Item> {
        let mut out = Vec::new();
        while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
            out.push(item);
        }
        out
    }

    #[tokio::test]
    async fn items_run_across_pages_until_has_more_is_false() {
        let items = Pages::new("list", Ask::default(), serve, paging()).items(|page| page.items);
        let got: Vec<u32> = collect(items).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, [1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn an_empty_page_ends_the_walk() {
        let pages = collect(Pages::new("list", Ask(Some("empty".into())), serve, paging())).await;
        assert_eq!(pages.len(), 1);
    }

    #[tokio::test]
    async fn a_repeating_cursor_is_an_error_after_its_page() {
        let pages = collect(Pages::new("list", Ask(Some("loop".into())), serve, paging())).await;
        assert_eq!(pages.len(), 3, "the first page, the page naming the cursor again, then the error");
        let Some(Err(error)) = pages.last() else { panic!("{pages:?}") };
        assert_eq!(
            error.to_string(),
            "list: pagination stopped after 2 pages: the next-page cursor repeats an earlier one"
        );
    }

    #[test]
    fn cursors_convert_for_their_parameter() {
        assert_eq!(Cursor::Number(1540095775951.0).into_text(), "1540095775951");
        assert_eq!(Cursor::Text("1540095775951".into()).as_f64(), Some(1540095775951.0));
        assert_eq!(Cursor::Text("abc".into()).as_i64(), None);
        assert_eq!(Some(String::new()).to_cursor(), None);
    }
}
