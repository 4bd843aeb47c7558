//! Speaking Kubernetes: HorizontalPodAutoscaler and KEDA ScaledObject manifests to and
//! from [`Policy`], the `.scale` language's view of one service's autoscaling policy.
//!
//! ```text
//!  YAML ─yaml::parse_stream─▶ yaml::Node ─manifest::read_document─▶ manifest::Manifest
//!        ─import─▶ Policy ─print::scale_text─▶ .scale text
//!  Policy ─export─▶ manifest::Manifest ─export::to_yaml─▶ YAML
//! ```
//!
//! [`import()`] and [`export()`] are the entry functions. Every problem is an
//! [`ImportDiagnostic`] naming the YAML field path and its line (the `E4xx`/`W4xx` rows
//! of the code registry, `diagnostics::codes`). No polars here. The semantics are in
//! `docs/kubernetes.md`; the language side of the mapping in `docs/design-kubernetes.md`.

pub mod cron;
pub mod diagnostic;
pub mod export;
pub mod from_ir;
pub mod import;
pub mod manifest;
pub mod names;
pub mod policy;
pub mod print;
pub mod quantity;
pub mod yaml;

pub use diagnostic::{ImportDiagnostic, Severity};
pub use export::{export, Exported, To};
pub use from_ir::policy_of;
pub use import::{import, Imported};
pub use policy::Policy;
pub use print::scale_text;
pub use quantity::Quantity;
