//! Fuzz target `lint_fmt`: see `scalerules_fuzz::checks::lint_fmt`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        scalerules_fuzz::checks::lint_fmt(data);
    });
}
