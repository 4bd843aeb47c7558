//! Fuzz target `eval`: see `scalerules_fuzz::checks::eval`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        scalerules_fuzz::checks::eval(data);
    });
}
