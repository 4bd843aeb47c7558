//! Fuzz target `dataset`: see `scalerules_fuzz::checks::dataset`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        scalerules_fuzz::checks::dataset(data);
    });
}
