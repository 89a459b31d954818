//! Sizes as people read them, the same in the window and on the command line.

/// "532 B", "1.5 MiB", "2.0 GiB": binary units, one decimal.
pub fn byte_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::byte_size;

    #[test]
    fn binary_units_with_one_decimal() {
        assert_eq!(byte_size(532), "532 B");
        assert_eq!(byte_size(1536 * 1024), "1.5 MiB");
        assert_eq!(byte_size(1 << 30), "1.0 GiB");
    }
}
