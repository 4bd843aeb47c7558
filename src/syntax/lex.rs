//! The lexical facts the parser drops but the formatter, the linter and span trimming need: comments.

/// The byte offset of the `#` starting a comment on this line, if any (a `#` inside a
/// string does not count).
pub fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

/// One line split into code and comment (`#` included), both trimmed at the end.
pub fn split_comment(line: &str) -> (&str, Option<&str>) {
    match comment_start(line) {
        Some(i) => (line[..i].trim_end(), Some(line[i..].trim_end())),
        None => (line.trim_end(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_in_string_is_not_a_comment() {
        assert_eq!(comment_start(r##"metric a = column "x#y" # c"##), Some(24));
        assert_eq!(
            split_comment("when a > 1 scale out by 1  # go "),
            ("when a > 1 scale out by 1", Some("# go"))
        );
        assert_eq!(comment_start("no comment"), None);
    }
}
