//! Fuzz target `compile`: see `scalerules_fuzz::checks::compile`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        scalerules_fuzz::checks::compile(data);
    });
}
