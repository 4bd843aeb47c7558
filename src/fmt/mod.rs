//! `scalerules fmt`: the canonical layout.

pub mod lex;
