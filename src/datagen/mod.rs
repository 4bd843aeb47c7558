//! The seeded generator of the sample datasets in `datasets/`.
