//! Loading metric datasets (CSV, Parquet) with polars.
