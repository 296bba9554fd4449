//! What auto-pagination costs: Cartesia's `voices_list` walked with `pages()` against the same
//! pages fetched by hand (a loop cloning the builder, setting `starting_after` from each
//! answer's `next_page`), both through the typed client to one loopback server serving ten
//! pages. Variants alternate round by round; the ratio is the median of the rounds' ratios.

use std::time::{Duration, Instant};

use loopback::{Recorded, Reply, Server};
use serde_json::json;

use crate::overhead::Row;

/// Pages of one walk.
const PAGES: usize = 10;

fn page(index: usize) -> String {
    let voice = json!({"id": "v", "name": "n", "description": "d", "is_owner": true, "is_public": false,
        "gender": null, "created_at": "2024-01-01T00:00:00Z", "language": "en"});
    let more = index + 1 < PAGES;
    let next = more.then(|| format!("p{}", index + 1));
    json!({"data": [voice.clone(), voice], "has_more": more, "next_page": next}).to_string()
}

fn serve(request: &Recorded) -> Reply {
    let asked = request
        .query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("starting_after=p").and_then(|n| n.parse::<usize>().ok()));
    Reply::json(200, page(asked.unwrap_or(0)))
}

async fn walked(client: &cartesia::Client) -> anyhow::Result<usize> {
    let mut pages = client.voices_list().limit(2).pages();
    let mut count = 0;
    while let Some(page) =
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(std::pin::Pin::new(&mut pages), cx)).await
    {
        page?;
        count += 1;
    }
    Ok(count)
}

async fn by_hand(client: &cartesia::Client) -> anyhow::Result<usize> {
    let first = client.voices_list().limit(2);
    let mut request = first.clone();
    let mut count = 0;
    loop {
        let page = request.send().await?.into_inner();
        count += 1;
        let done = !page.has_more || page.data.is_empty();
        match page.next_page {
            Some(next) if !done => request = first.clone().starting_after(next),
            _ => return Ok(count),
        }
    }
}

/// The pagination rows of `cargo xtask bench`.
pub async fn run(quick: bool) -> anyhow::Result<Vec<Row>> {
    let server = Server::start_unrecorded(serve).await?;
    let client = cartesia::Client::builder().api_key("bench-key-not-a-secret").base_url(server.url()).build()?;
    let (rounds, walks) = if quick { (2, 5) } else { (30, 50) };
    anyhow::ensure!(walked(&client).await? == PAGES && by_hand(&client).await? == PAGES, "a walk missed pages");
    // Each round times both sides back to back (in alternating order); the ratio reported is
    // the median of the rounds' ratios, which a burst of load on the machine moves least.
    let (mut auto, mut hand, mut ratios) = (Duration::ZERO, Duration::ZERO, Vec::new());
    for round in 0..rounds {
        let mut took = [Duration::ZERO; 2];
        for side in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            let started = Instant::now();
            for _ in 0..walks {
                if side == 0 {
                    walked(&client).await?
                } else {
                    by_hand(&client).await?
                };
            }
            took[side] = started.elapsed();
        }
        auto += took[0];
        hand += took[1];
        ratios.push(took[0].as_secs_f64() / took[1].as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let per_walk = |total: Duration| total.as_secs_f64() * 1e3 / (rounds * walks) as f64;
    Ok(vec![Row {
        benchmark: format!("paginated walk: cartesia voices_list, {PAGES} pages (pages() / the same pages by hand)"),
        measured: format!("{:.3} ms per walk", per_walk(auto)),
        baseline: format!("{:.3} ms per walk", per_walk(hand)),
        ratio: Some(ratio),
        target: "≤ 1.02".into(),
        met: Some(ratio <= 1.02),
    }])
}
