//! Text inputs, read the same way for reads and lists: opened once (a path,
//! or `-` for standard input), gzip recognised by its first bytes, cut into
//! lines of at most [`MAX_LINE`] bytes, and CSV split one physical line at a
//! time.
//!
//! A CSV record is one line: a quote cannot carry a record across a line
//! break, so one stray quote costs one bad line, not the rest of the file.
//! A line with an odd number of quotes is refused as unbalanced.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The longest line of a text input: a read or a list entry is a few
/// hundred bytes. A longer line (a file with no line breaks, a
/// decompression bomb) is a bad line, skipped without being held in memory.
pub const MAX_LINE: usize = 64 * 1024;

/// The most columns of a CSV line.
pub const MAX_COLUMNS: usize = 64;

/// An opened input: the stream, decompressed, and what is known of it.
pub struct Input {
    /// The lines.
    pub reader: Box<dyn BufRead + Send>,
    /// The name to show in messages.
    pub name: String,
    /// Gzip-compressed.
    pub gzip: bool,
    /// Size in bytes of an uncompressed regular file (for progress).
    pub size: Option<u64>,
}

impl Input {
    /// Opens `path` once (`-` is standard input) and recognises gzip by the
    /// magic bytes read from the stream itself, so a pipe or a FIFO loses
    /// nothing.
    pub fn open(path: &Path) -> Result<Self> {
        let name = path.display().to_string();
        let (raw, size): (Box<dyn Read + Send>, Option<u64>) = if path.as_os_str() == "-" {
            (Box::new(std::io::stdin()), None)
        } else {
            let f = File::open(path).with_context(|| format!("{name}: cannot open"))?;
            let size = f
                .metadata()
                .ok()
                .filter(std::fs::Metadata::is_file)
                .map(|m| m.len());
            (Box::new(f), size)
        };
        let mut raw = raw;
        let (magic, n) = peek4(&mut raw).with_context(|| format!("{name}: cannot read"))?;
        let gzip = magic.starts_with(&[0x1f, 0x8b]);
        if let Some((kind, how)) = other_compression(&magic[..n]) {
            // Read as text, every line would be a bad line that says
            // nothing of why.
            bail!("{name}: {kind}-compressed; hitgate reads plain text or gzip: `{how}` it first");
        }
        if matches!(magic, [0xff, 0xfe, ..] | [0xfe, 0xff, ..]) {
            // Windows tools write UTF-16 with a byte-order mark; read as
            // UTF-8 every line would be a bad line that says nothing.
            bail!(
                "{name}: UTF-16 text (it starts with a byte-order mark); hitgate reads UTF-8: \
                 convert it, for example `iconv -f UTF-16 -t UTF-8`"
            );
        }
        // The bytes looked at go back in front of the stream.
        let raw = BufReader::with_capacity(
            1 << 16,
            std::io::Cursor::new(magic).take(n as u64).chain(raw),
        );
        let reader: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::bufread::MultiGzDecoder::new(raw),
            ))
        } else {
            Box::new(raw)
        };
        let mut reader = reader;
        // A UTF-8 byte-order mark (Windows tools write one) is not text:
        // left in front of the first line, a JSON read or a CSV header
        // would not parse. Looked for after decompression, where the text
        // starts.
        let start = reader
            .fill_buf()
            .with_context(|| format!("{name}: cannot read"))?;
        if start.starts_with(b"\xef\xbb\xbf") {
            reader.consume(3);
        }
        Ok(Self {
            reader,
            name,
            gzip,
            size: size.filter(|_| !gzip),
        })
    }

    /// The first byte of the (decompressed) stream that is not white
    /// space, without consuming anything but leading white space.
    pub fn first_byte(&mut self) -> Result<Option<u8>> {
        loop {
            let buf = self
                .reader
                .fill_buf()
                .with_context(|| format!("{}: cannot read", self.name))?;
            if buf.is_empty() {
                return Ok(None);
            }
            match buf.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => {
                    let b = buf[i];
                    self.reader.consume(i);
                    return Ok(Some(b));
                }
                None => {
                    let n = buf.len();
                    self.reader.consume(n);
                }
            }
        }
    }

    /// The next line (see [`read_line`]), with the file name in an I/O
    /// error: a truncated gzip stream is an error, never an end of file.
    pub fn next_line(&mut self, buf: &mut Vec<u8>, after: u64) -> Result<(u64, bool)> {
        read_line(&mut self.reader, buf)
            .with_context(|| format!("{}: read error after line {after}", self.name))
    }
}

/// The compressions other than gzip a recording may come in, by their
/// first bytes (each impossible at the start of UTF-8 text, or, for bzip2
/// and zip, of a reads or lists file): the name and how to undo it.
fn other_compression(start: &[u8]) -> Option<(&'static str, &'static str)> {
    match start {
        [0x28, 0xb5, 0x2f, 0xfd] => Some(("zstd", "zstd -d")),
        [0xfd, b'7', b'z', b'X'] => Some(("xz", "xz -d")),
        [b'B', b'Z', b'h', b'1'..=b'9'] => Some(("bzip2", "bunzip2")),
        [b'P', b'K', 3, 4] => Some(("zip", "unzip")),
        _ => None,
    }
}

/// Reads up to four bytes (fewer only at the end of the stream), and says
/// how many. A pipe may deliver one byte at a time, so one `read` is not
/// enough.
fn peek4(r: &mut dyn Read) -> std::io::Result<([u8; 4], usize)> {
    let mut magic = [0u8; 4];
    let mut n = 0;
    while n < 4 {
        match r.read(&mut magic[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((magic, n))
}

/// Reads one line into `buf` (cleared first). Returns the bytes the line
/// took in the input, newline included, and whether it fitted in
/// [`MAX_LINE`]; a longer line is read to its end and dropped.
pub fn read_line<R: BufRead + ?Sized>(
    input: &mut R,
    buf: &mut Vec<u8>,
) -> std::io::Result<(u64, bool)> {
    buf.clear();
    let mut n = Read::take(&mut *input, MAX_LINE as u64 + 1).read_until(b'\n', buf)? as u64;
    if buf.len() <= MAX_LINE || buf.last() == Some(&b'\n') {
        return Ok((n, true));
    }
    // Past the limit: skip to the end of the line a buffer at a time.
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        input.consume(used);
        n += used as u64;
        if done {
            break;
        }
    }
    buf.clear();
    Ok((n, false))
}

/// A line without its line break and trailing white space.
pub fn trim_line(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && matches!(b[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    &b[..end]
}

/// Why a CSV line could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvLineError {
    /// An odd number of `"`: a quoted field is not closed on its line.
    UnbalancedQuote,
    /// More than [`MAX_COLUMNS`] fields.
    TooManyColumns,
}

impl std::fmt::Display for CsvLineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnbalancedQuote => {
                f.write_str("unbalanced quote: a quoted field must close on its own line")
            }
            Self::TooManyColumns => write!(f, "more than {MAX_COLUMNS} columns"),
        }
    }
}

impl std::error::Error for CsvLineError {}

/// Splits CSV lines (RFC 4180 quoting within the line) into fields, with
/// `csv-core`'s parser and buffers reused from line to line.
pub struct CsvSplitter {
    parser: csv_core::Reader,
    delimiter: u8,
    out: Vec<u8>,
    ends: [usize; MAX_COLUMNS],
    fields: usize,
}

impl Default for CsvSplitter {
    fn default() -> Self {
        Self::with_delimiter(b',')
    }
}

impl CsvSplitter {
    fn with_delimiter(delimiter: u8) -> Self {
        Self {
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            out: Vec::new(),
            ends: [0; MAX_COLUMNS],
            fields: 0,
        }
    }

    /// A splitter for the file whose header is `header`: fields split at
    /// `,`, or, in a header with no comma, at `;` (a spreadsheet's export
    /// where the comma is the decimal mark) or a tab, whichever the header
    /// has.
    pub fn for_header(header: &[u8]) -> Self {
        let delimiter = if header.contains(&b',') {
            b','
        } else if header.contains(&b';') {
            b';'
        } else if header.contains(&b'\t') {
            b'\t'
        } else {
            b','
        };
        Self::with_delimiter(delimiter)
    }

    /// The byte fields are split at.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Splits one line (its line break already trimmed).
    pub fn split(&mut self, line: &[u8]) -> Result<(), CsvLineError> {
        self.fields = 0;
        if line.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            return Err(CsvLineError::UnbalancedQuote);
        }
        self.parser.reset();
        // A field is never longer than the line it came from.
        self.out.clear();
        self.out.resize(line.len() + 1, 0);
        let (mut input, mut nout, mut nend) = (line, 0, 0);
        loop {
            let (res, nin, o, e) =
                self.parser
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            input = &input[nin..];
            nout += o;
            nend += e;
            match res {
                // The line is all there is: the next call, with the input
                // used up, ends the record.
                csv_core::ReadRecordResult::InputEmpty => continue,
                csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
                csv_core::ReadRecordResult::OutputEndsFull => {
                    return Err(CsvLineError::TooManyColumns);
                }
                // Cannot happen (the buffer holds the whole line); refuse
                // rather than loop.
                csv_core::ReadRecordResult::OutputFull => {
                    return Err(CsvLineError::TooManyColumns);
                }
            }
        }
        self.fields = nend;
        Ok(())
    }

    /// Field `i` of the last line split, trimmed of white space (`""`
    /// past the last field).
    pub fn field(&self, i: usize) -> &[u8] {
        if i >= self.fields {
            return b"";
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let f = &self.out[start..self.ends[i]];
        f.trim_ascii()
    }

    /// Fields of the last line split (none for an empty line).
    pub fn fields(&self) -> usize {
        self.fields
    }
}

/// The column names of a CSV file, from its header line. Names match
/// whatever their case and their separators (`Plate`, `plate`; `Plate
/// Number`, `plate_number`, `plateNumber`), as spreadsheets and exports
/// write them; a name given twice so is refused, since either column
/// could be the one meant, and so are two other names of one column
/// without its own ([`Header::find`]).
pub struct Header {
    /// The names as written.
    names: Vec<String>,
    /// The names folded: lower case, without ` `, `_` or `-`.
    keys: Vec<Vec<u8>>,
}

/// A column name folded for matching: lower case, without ` `, `_`, `-`.
pub(crate) fn fold(name: &[u8]) -> Vec<u8> {
    folded(name).collect()
}

/// [`fold`] without the copy: the folded bytes one by one.
pub(crate) fn folded(name: &[u8]) -> impl Iterator<Item = u8> + '_ {
    name.iter()
        .filter(|b| !matches!(b, b' ' | b'_' | b'-'))
        .map(u8::to_ascii_lowercase)
}

impl Header {
    /// The names of the header line `split` holds.
    pub fn of(split: &CsvSplitter) -> Result<Self, String> {
        let names: Vec<String> = (0..split.fields())
            .map(|i| String::from_utf8_lossy(split.field(i)).into_owned())
            .collect();
        let keys: Vec<Vec<u8>> = names.iter().map(|n| fold(n.as_bytes())).collect();
        for (i, k) in keys.iter().enumerate() {
            if let Some(first) = keys[..i].iter().position(|f| f == k && !k.is_empty()) {
                return Err(format!(
                    "column {:?} appears twice (also as {:?})",
                    names[first], names[i]
                ));
            }
        }
        Ok(Self { names, keys })
    }

    /// The position of the column called `name`, else of the one called
    /// by one of `aliases`, if there is one; an error when two aliases
    /// are there and `name` is not.
    pub fn find(&self, name: &str, aliases: &[&str]) -> Result<Option<usize>, String> {
        let own = fold(name.as_bytes());
        if let Some(i) = self.keys.iter().position(|k| *k == own) {
            return Ok(Some(i));
        }
        let wanted: Vec<Vec<u8>> = aliases.iter().map(|n| fold(n.as_bytes())).collect();
        let mut at = self
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| wanted.contains(k));
        match (at.next(), at.next()) {
            (Some((a, _)), Some((b, _))) => Err(format!(
                "columns {:?} and {:?} are both {name:?}; keep one",
                self.names[a], self.names[b]
            )),
            (first, _) => Ok(first.map(|(i, _)| i)),
        }
    }

    /// As [`Header::find`], and an error naming the column when it is
    /// not there.
    pub fn need(&self, name: &str, aliases: &[&str]) -> Result<usize, String> {
        self.find(name, aliases)?.ok_or_else(|| {
            if aliases.is_empty() {
                format!("missing column {name:?}")
            } else {
                format!("missing column {name:?} (or {})", aliases.join(", "))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test

    use super::*;

    /// Lines of these lengths (newline not counted), each ended by a
    /// newline but the last.
    fn lines(lens: &[usize]) -> Vec<u8> {
        let mut v = Vec::new();
        for (i, &n) in lens.iter().enumerate() {
            v.extend(std::iter::repeat_n(b'a' + i as u8, n));
            if i + 1 < lens.len() {
                v.push(b'\n');
            }
        }
        v
    }

    #[test]
    fn lines_past_the_limit_are_skipped_whole_and_the_next_one_is_read() {
        let lens = [3, MAX_LINE, MAX_LINE + 1, 5 * MAX_LINE + 7, 0, 4];
        let data = lines(&lens);
        let mut input = BufReader::with_capacity(1000, &data[..]);
        let mut buf = Vec::new();
        let mut total = 0;
        for (i, &len) in lens.iter().enumerate() {
            let last = i + 1 == lens.len();
            let (n, whole) = read_line(&mut input, &mut buf).unwrap();
            // Every byte of the line and its newline is consumed.
            assert_eq!(n, (len + usize::from(!last)) as u64, "line {i}");
            total += n;
            assert_eq!(whole, len <= MAX_LINE, "line {i}");
            if whole {
                assert_eq!(trim_line(&buf).len(), len, "line {i}");
                assert!(buf.iter().take(len).all(|&b| b == b'a' + i as u8));
            } else {
                assert!(buf.is_empty());
            }
        }
        assert_eq!(total, data.len() as u64);
        assert_eq!(read_line(&mut input, &mut buf).unwrap(), (0, true));
    }

    fn split(line: &str) -> Result<Vec<String>, CsvLineError> {
        let mut s = CsvSplitter::default();
        s.split(line.as_bytes())?;
        Ok((0..s.fields())
            .map(|i| String::from_utf8(s.field(i).to_vec()).unwrap())
            .collect())
    }

    #[test]
    fn csv_lines_split_with_quotes_within_the_line() {
        assert_eq!(split("a,b,c").unwrap(), ["a", "b", "c"]);
        assert_eq!(split(" a , b ,").unwrap(), ["a", "b", ""]);
        assert_eq!(split("\"a,b\",c").unwrap(), ["a,b", "c"]);
        assert_eq!(split("\"say \"\"hi\"\"\",x").unwrap(), ["say \"hi\"", "x"]);
        assert!(split("").unwrap().is_empty());
        assert_eq!(split("x").unwrap(), ["x"]);
    }

    #[test]
    fn utf16_text_and_other_compressions_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for bom in [[0xff, 0xfe], [0xfe, 0xff]] {
            let path = dir.path().join("lists.csv");
            let mut text = bom.to_vec();
            text.extend("plate".encode_utf16().flat_map(u16::to_le_bytes));
            std::fs::write(&path, text).unwrap();
            let e = format!("{:#}", Input::open(&path).err().unwrap());
            assert!(e.contains("lists.csv: UTF-16 text"), "{e}");
        }
        // So are the compressions hitgate does not read, named.
        for (start, want) in [
            (
                &b"\x28\xb5\x2f\xfd\x04"[..],
                "zstd-compressed; hitgate reads plain text or gzip: `zstd -d`",
            ),
            (b"\xfd7zXZ\0", "xz-compressed"),
            (b"BZh91AY&SY", "bzip2-compressed"),
            (
                b"PK\x03\x04\x14\0",
                "zip-compressed; hitgate reads plain text or gzip: `unzip`",
            ),
        ] {
            let path = dir.path().join("reads.jsonl");
            std::fs::write(&path, start).unwrap();
            let e = format!("{:#}", Input::open(&path).err().unwrap());
            assert!(e.contains(want), "{e}");
        }
        // Text that merely starts like one is not refused, nor are files
        // shorter than the magic.
        for text in [&b"BZh,plate\n"[..], b"PK", b"{", b""] {
            let path = dir.path().join("text.csv");
            std::fs::write(&path, text).unwrap();
            assert!(Input::open(&path).is_ok(), "{text:?}");
        }
        // A UTF-8 byte-order mark is read past: it is not text.
        let path = dir.path().join("utf8.csv");
        std::fs::write(&path, b"\xef\xbb\xbfplate\n").unwrap();
        assert!(Input::open(&path).is_ok());
    }

    #[test]
    fn a_utf8_byte_order_mark_is_not_part_of_the_first_line() {
        use std::io::Write as _;
        let text = b"\xef\xbb\xbf{\"plate\":\"1ABC123\"}\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text).unwrap();
        let gz = gz.finish().unwrap();
        for bytes in [&text[..], &gz[..]] {
            let mut i = open_bytes(bytes);
            assert_eq!(i.first_byte().unwrap(), Some(b'{'));
            let mut line = String::new();
            i.reader.read_to_string(&mut line).unwrap();
            assert_eq!(line, "{\"plate\":\"1ABC123\"}\n");
        }
        // Only at the start: the same bytes later are the line's.
        let mut i = open_bytes(b"a\n\xef\xbb\xbfb\n");
        let mut rest = Vec::new();
        i.reader.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"a\n\xef\xbb\xbfb\n");
    }

    #[test]
    fn the_header_says_how_fields_are_split() {
        let fields = |header: &str, line: &str| {
            let mut s = CsvSplitter::for_header(header.as_bytes());
            s.split(line.as_bytes()).unwrap();
            (0..s.fields())
                .map(|i| String::from_utf8(s.field(i).to_vec()).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(fields("ts,plate", "a;b,c"), ["a;b", "c"]);
        assert_eq!(fields("ts;plate", "a;\"b;c\";50,85"), ["a", "b;c", "50,85"]);
        assert_eq!(fields("ts\tplate", "a\tb,c"), ["a", "b,c"]);
        // A header of one column splits at commas.
        assert_eq!(fields("plate", "a,b"), ["a", "b"]);
        assert_eq!(CsvSplitter::for_header(b"a;b").delimiter(), b';');
    }

    #[test]
    fn an_unclosed_quote_is_one_bad_line() {
        assert_eq!(
            split("2026-01-05T08:00:00Z,cam-1,\"1ABC234"),
            Err(CsvLineError::UnbalancedQuote)
        );
        assert_eq!(split("a,b\"c"), Err(CsvLineError::UnbalancedQuote));
    }

    #[test]
    fn too_many_columns_is_refused() {
        let line = vec!["x"; MAX_COLUMNS + 1].join(",");
        assert_eq!(split(&line), Err(CsvLineError::TooManyColumns));
        let line = vec!["x"; MAX_COLUMNS].join(",");
        assert_eq!(split(&line).unwrap().len(), MAX_COLUMNS);
    }

    fn open_bytes(bytes: &[u8]) -> Input {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x");
        std::fs::write(&p, bytes).unwrap();
        let i = Input::open(&p).unwrap();
        drop(d);
        i
    }

    #[test]
    fn gzip_is_recognised_from_the_stream_and_nothing_is_lost() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"line one\nline two\n").unwrap();
        let gz = gz.finish().unwrap();
        for (bytes, gzip) in [(&gz[..], true), (&b"line one\nline two\n"[..], false)] {
            let mut i = open_bytes(bytes);
            assert_eq!(i.gzip, gzip);
            let mut text = String::new();
            i.reader.read_to_string(&mut text).unwrap();
            assert_eq!(text, "line one\nline two\n");
        }
        // One byte, and none.
        let mut i = open_bytes(b"x");
        let mut text = String::new();
        i.reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "x");
        assert!(open_bytes(b"").first_byte().unwrap().is_none());
    }

    #[test]
    fn a_truncated_gzip_stream_is_an_error() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..2000 {
            writeln!(gz, "line {i}").unwrap();
        }
        let gz = gz.finish().unwrap();
        let mut i = open_bytes(&gz[..gz.len() / 2]);
        let mut buf = Vec::new();
        let mut after = 0;
        let err = loop {
            match i.next_line(&mut buf, after) {
                Ok((0, _)) => panic!("a truncated stream ended cleanly"),
                Ok(_) => after += 1,
                Err(e) => break e,
            }
        };
        assert!(
            format!("{err:#}").contains("read error after line"),
            "{err:#}"
        );
    }
}
