//! Parsing and formatting of dataset timestamps.
