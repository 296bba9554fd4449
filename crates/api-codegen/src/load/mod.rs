//! Reading a document: YAML or JSON with input limits, other files it references bundled in,
//! the overlay applied in order, OpenAPI 3.1 converted to the 3.0 progenitor reads. Nothing
//! here knows a rule or a vendor.

pub mod bundle;
pub mod normalize;
pub mod overlay;
pub mod swagger2;
pub mod yaml;
