//! A client generated from `tests/deep_objects/` (crafted, Stripe- and Twilio-shaped) sends
//! what the spec's styles say, checked byte for byte on a loopback server: deepObject query
//! parameters as `name[key]=value` (or `name=value` for a scalar alternative), a
//! form-urlencoded body with deep objects (`metadata[key]=value`, `expand[0]=…`,
//! `line_items[0][price]=…`), unset fields left out, integers as integers; and a flat form
//! body whose array repeats its key.
#![allow(clippy::unwrap_used)]
// A test binary uses a small part of a client: the rest is dead code here.
#![allow(dead_code, unused_imports)]

// As in a client crate: at the crate root (build.rs leaves out its `mock` and `dispatch`).
include!(concat!(env!("OUT_DIR"), "/deep_objects/client.rs"));

/// The client's items, by the name the tests use.
mod deep {
    pub use crate::generated::*;
}

use loopback::{Reply, Server};
use workspace_tests::KEY;

async fn server() -> Server {
    Server::always(Reply::json(200, r#"{"id": "ch_1", "data": []}"#)).await.unwrap()
}

fn client(server: &Server) -> deep::Client {
    deep::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap()
}

#[tokio::test]
async fn deep_object_query_parameters_are_sent_in_brackets() {
    let server = server().await;
    let range = types::ListChargesCreated::RangeQuerySpecs {
        gt: None,
        gte: Some(1_700_000_000),
        lt: Some(1_800_000_000),
        lte: None,
    };
    client(&server)
        .list_charges()
        .created(range)
        .expand(vec!["data.customer".to_string(), "data.invoice".to_string()])
        .limit(3)
        .send()
        .await
        .unwrap();
    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/v1/charges");
    assert_eq!(
        request.query.as_deref(),
        Some(
            "created%5Bgte%5D=1700000000&created%5Blt%5D=1800000000\
             &expand%5B0%5D=data.customer&expand%5B1%5D=data.invoice&limit=3"
        )
    );
}

#[tokio::test]
async fn a_scalar_alternative_is_the_plain_parameter_and_unset_ones_are_absent() {
    let server = server().await;
    client(&server).list_charges().created(5).send().await.unwrap();
    client(&server).list_charges().send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].query.as_deref(), Some("created=5"));
    assert_eq!(requests[1].query, None);
}

#[tokio::test]
async fn a_form_body_sends_deep_objects_as_its_encoding_says() {
    let server = server().await;
    let body = types::CreateChargeBody {
        amount: 2000,
        application_fee_percent: Some(2.0),
        capture: Some(false),
        currency: "usd".into(),
        description: None,
        expand: vec!["customer".into(), "balance_transaction".into()],
        line_items: vec![
            types::CreateChargeBodyLineItemsItem { price: Some("price_1".into()), quantity: Some(2) },
            types::CreateChargeBodyLineItemsItem { price: Some("price 2".into()), quantity: None },
        ],
        metadata: [("order_id".to_string(), "6735&x=[1]".to_string())].into_iter().collect(),
        shipping: Some(types::CreateChargeBodyShipping {
            name: "Jenny Rosen".into(),
            address: Some(types::CreateChargeBodyShippingAddress { city: Some("Berlin".into()), line1: None }),
        }),
    };
    client(&server).create_charge().body(body).send().await.unwrap();
    let request = server.single_request();
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        request.body_text(),
        "amount=2000&application_fee_percent=2&capture=false&currency=usd\
         &expand[0]=customer&expand[1]=balance_transaction\
         &line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price]=price+2\
         &metadata[order_id]=6735%26x%3D%5B1%5D\
         &shipping[address][city]=Berlin&shipping[name]=Jenny+Rosen"
    );
    assert_eq!(request.query, None);
}

#[tokio::test]
async fn a_flat_form_body_repeats_an_array_s_key() {
    let server = Server::always(Reply::json(201, r#"{"id": "CA1"}"#)).await.unwrap();
    let body = types::CreateCallBody {
        from: "+15017122661".into(),
        status_callback_event: vec!["initiated".into(), "answered".into()],
        timeout: None,
        to: "+15558675310".into(),
    };
    client(&server).create_call().body(body).send().await.unwrap();
    let request = server.single_request();
    assert_eq!(
        request.body_text(),
        "From=%2B15017122661&StatusCallbackEvent=initiated&StatusCallbackEvent=answered&To=%2B15558675310"
    );
}

#[tokio::test]
async fn struct_query_parameters_go_out_in_their_style_and_unset_properties_send_nothing() {
    let server = server().await;
    let recurring = types::AllPricesRecurringParams {
        interval: Some(types::AllPricesRecurringParamsInterval::Month),
        usage_type: None,
    };
    let effective_at = types::ListPricesEffectiveAt { gte: Some(1_700_000_000), lt: None };
    let color = types::Color { r: Some(100), g: Some(200) };
    client(&server).list_prices().recurring(recurring).effective_at(effective_at).color(color).send().await.unwrap();
    client(&server)
        .list_prices()
        .effective_at(types::ListPricesEffectiveAt { gte: None, lt: None })
        .send()
        .await
        .unwrap();
    client(&server).list_prices().send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].path, "/v1/prices");
    // deepObject: `name[key]=value`; form, exploded: each property its own pair; form, not
    // exploded: `name=k1,v1,k2,v2` (commas escaped by the query encoder).
    assert_eq!(
        requests[0].query.as_deref(),
        Some("color=g%2C200%2Cr%2C100&gte=1700000000&recurring%5Binterval%5D=month")
    );
    assert_eq!(requests[1].query, None, "a struct with no property set sends nothing");
    assert_eq!(requests[2].query, None);
}
