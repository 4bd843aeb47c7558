//! Fuzz target `kube_import`: see `scalerules_fuzz::checks::kube_import`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        scalerules_fuzz::checks::kube_import(data);
    });
}
