//! Where the build upload's form is read: the multipart/form-data `POST` to the URL `getBuildUploadUrl`
//! gave, taken as it arrives. The form's fields are kept; the archive is only hashed and counted, so a
//! context of the documented 500 MB (build-upload-url.mdx) never sits in memory.

use memchr::memmem;

/// The largest build context the upload takes (api-reference/.../build-upload-url.mdx: 500 MB).
pub(crate) const MAX_CONTEXT_BYTES: u64 = 500 * 1024 * 1024;
/// The largest form field other than the archive (the storage service's policy fields are small).
const MAX_FIELD_BYTES: usize = 64 * 1024;
/// The largest head of one part.
const MAX_PART_HEAD_BYTES: usize = 8 * 1024;

/// The uploaded archive, as far as the emulator keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Archive {
    /// FNV-1a of its bytes.
    pub(crate) hash: u64,
    /// Its size in bytes.
    pub(crate) size: u64,
}

impl Archive {
    /// Its `contextHash`: the hash as 16 hex characters, the length of the spec's example.
    pub(crate) fn context_hash(&self) -> String {
        format!("{:016x}", self.hash)
    }
}

/// A form read whole: its fields by name, in order, and the archive (`file`), if it had one.
#[derive(Debug, Default)]
pub(crate) struct Form {
    /// Every part but `file`, by its exact name.
    pub(crate) fields: Vec<(String, Vec<u8>)>,
    /// The `file` part.
    pub(crate) file: Option<Archive>,
}

impl Form {
    /// The value of field `name` (names are case-sensitive, as the storage service's are).
    pub(crate) fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }
}

/// Why a form could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FormError {
    /// It does not follow multipart/form-data.
    Malformed(&'static str),
    /// The archive is larger than [`MAX_CONTEXT_BYTES`].
    TooLarge,
    /// A field other than the archive is larger than its limit.
    FieldTooLarge(String),
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormError::Malformed(what) => write!(f, "the form is not multipart/form-data: {what}"),
            FormError::TooLarge => {
                write!(f, "the build context is larger than {} MB, the most an upload takes", MAX_CONTEXT_BYTES >> 20)
            }
            FormError::FieldTooLarge(name) => {
                write!(f, "the form's field `{name}` is larger than {} KB", MAX_FIELD_BYTES / 1024)
            }
        }
    }
}

enum Step {
    /// Before the first boundary.
    Preamble,
    /// Just after a boundary: the form's end (`--`) or a part's head (CR LF).
    AfterBoundary,
    /// In a part's head.
    Head,
    /// In the body of the part called this.
    Body(Part),
    /// After the closing boundary: the rest is ignored.
    Done,
}

enum Part {
    Field(String, Vec<u8>),
    File {
        hash: u64,
        size: u64,
    },
    /// A part with no name, which names nothing the form needs.
    Skipped,
}

/// Reads a form chunk by chunk ([`FormReader::feed`]), then [`FormReader::finish`].
pub(crate) struct FormReader {
    /// `CR LF -- boundary`: every boundary but the first is preceded by CR LF, and the reader starts as
    /// if after one, so the first is found alike.
    delimiter: Vec<u8>,
    buffer: Vec<u8>,
    step: Step,
    form: Form,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a of `bytes`, continuing from `hash`.
pub(crate) fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(FNV_PRIME))
}

impl FormReader {
    /// A reader of a form whose parts `boundary` separates.
    pub(crate) fn new(boundary: &str) -> Self {
        FormReader {
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            buffer: b"\r\n".to_vec(),
            step: Step::Preamble,
            form: Form::default(),
        }
    }

    /// Reads the next bytes of the body.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Result<(), FormError> {
        self.buffer.extend_from_slice(chunk);
        self.advance()
    }

    /// The form, once the body has ended.
    pub(crate) fn finish(mut self) -> Result<Form, FormError> {
        self.advance()?;
        match self.step {
            Step::Done => Ok(self.form),
            _ => Err(FormError::Malformed("the body ends before the form's closing boundary")),
        }
    }

    fn advance(&mut self) -> Result<(), FormError> {
        loop {
            match &mut self.step {
                Step::Done => {
                    self.buffer.clear();
                    return Ok(());
                }
                Step::Preamble => match memmem::find(&self.buffer, &self.delimiter) {
                    Some(at) => {
                        self.buffer.drain(..at + self.delimiter.len());
                        self.step = Step::AfterBoundary;
                    }
                    None => {
                        self.keep_tail();
                        return Ok(());
                    }
                },
                Step::AfterBoundary => {
                    if self.buffer.len() < 2 {
                        return Ok(());
                    }
                    self.step = match &self.buffer[..2] {
                        b"--" => Step::Done,
                        b"\r\n" => Step::Head,
                        _ => return Err(FormError::Malformed("a boundary is followed by neither CR LF nor `--`")),
                    };
                    self.buffer.drain(..2);
                }
                Step::Head => match memmem::find(&self.buffer, b"\r\n\r\n") {
                    Some(end) => {
                        let part = part_of_head(&String::from_utf8_lossy(&self.buffer[..end]));
                        self.buffer.drain(..end + 4);
                        self.step = Step::Body(part);
                    }
                    None if self.buffer.len() > MAX_PART_HEAD_BYTES => {
                        return Err(FormError::Malformed("a part's head is longer than 8 KB"));
                    }
                    None => return Ok(()),
                },
                Step::Body(part) => {
                    let found = memmem::find(&self.buffer, &self.delimiter);
                    // Without a boundary in sight, all but a boundary's length of the bytes are the part's: a
                    // boundary split across two chunks is found once the rest arrives.
                    let content = found.unwrap_or_else(|| self.buffer.len().saturating_sub(self.delimiter.len() - 1));
                    take(part, &self.buffer[..content])?;
                    match found {
                        Some(at) => {
                            let Step::Body(part) = std::mem::replace(&mut self.step, Step::AfterBoundary) else {
                                unreachable!("in a part's body")
                            };
                            self.close(part);
                            self.buffer.drain(..at + self.delimiter.len());
                        }
                        None => {
                            self.buffer.drain(..content);
                            return Ok(());
                        }
                    }
                }
            }
        }
    }

    /// Keeps only the bytes that may begin a boundary.
    fn keep_tail(&mut self) {
        let keep = self.delimiter.len() - 1;
        if self.buffer.len() > keep {
            self.buffer.drain(..self.buffer.len() - keep);
        }
    }

    fn close(&mut self, part: Part) {
        match part {
            Part::Field(name, value) => self.form.fields.push((name, value)),
            Part::File { hash, size } => self.form.file = Some(Archive { hash, size }),
            Part::Skipped => {}
        }
    }
}

/// What a part's head says it is: `name="file"` is the archive; `name="..."` as its own parameter, not
/// the end of `filename="..."`.
fn part_of_head(head: &str) -> Part {
    let name = head
        .split(['\r', '\n'])
        .filter(|line| line.to_ascii_lowercase().starts_with("content-disposition:"))
        .flat_map(|line| line.split(';'))
        .find_map(|parameter| parameter.trim().strip_prefix("name=\""))
        .and_then(|n| n.split('"').next());
    match name {
        Some("file") => Part::File { hash: FNV_OFFSET, size: 0 },
        Some(name) => Part::Field(name.to_string(), Vec::new()),
        None => Part::Skipped,
    }
}

fn take(part: &mut Part, bytes: &[u8]) -> Result<(), FormError> {
    match part {
        Part::File { hash, size } => {
            *size += bytes.len() as u64;
            if *size > MAX_CONTEXT_BYTES {
                return Err(FormError::TooLarge);
            }
            *hash = fnv1a(*hash, bytes);
        }
        Part::Field(name, value) => {
            if value.len() + bytes.len() > MAX_FIELD_BYTES {
                return Err(FormError::FieldTooLarge(name.clone()));
            }
            value.extend_from_slice(bytes);
        }
        Part::Skipped => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\norg/x.tar.gz\r\n--b\r\nContent-Disposition: form-data; filename=\"c.tar.gz\"; name=\"file\"\r\n\r\n\x1f\x8b\r\n--b--\r\n";

    fn read(chunks: &[&[u8]]) -> Result<Form, FormError> {
        let mut reader = FormReader::new("b");
        for chunk in chunks {
            reader.feed(chunk)?;
        }
        reader.finish()
    }

    #[test]
    fn a_form_reads_as_its_fields_and_the_archive_hashed_however_it_is_cut() {
        let whole = read(&[BODY]).expect("form");
        assert_eq!(whole.fields, vec![("key".to_string(), b"org/x.tar.gz".to_vec())]);
        assert_eq!(whole.file, Some(Archive { hash: fnv1a(FNV_OFFSET, b"\x1f\x8b"), size: 2 }));
        let hash = whole.file.map(|a| a.context_hash()).unwrap_or_default();
        assert!(hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
        // Cut at every byte: a boundary split across chunks is still found.
        for cut in 1..BODY.len() {
            let (first, rest) = BODY.split_at(cut);
            let form = read(&[first, rest]).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
            assert_eq!((form.fields, form.file), (whole.fields.clone(), whole.file), "cut at {cut}");
        }
        let bytewise: Vec<&[u8]> = BODY.chunks(1).collect();
        assert_eq!(read(&bytewise).expect("byte by byte").file, whole.file);
    }

    #[test]
    fn a_form_cut_short_or_oversized_is_refused() {
        assert_eq!(
            read(&[&BODY[..BODY.len() - 8]]).err(),
            Some(FormError::Malformed("the body ends before the form's closing boundary"))
        );
        let big_field = [
            b"--b\r\nContent-Disposition: form-data; name=\"Policy\"\r\n\r\n".as_slice(),
            &[b'x'; MAX_FIELD_BYTES + 100],
        ]
        .concat();
        assert_eq!(read(&[&big_field]).err(), Some(FormError::FieldTooLarge("Policy".into())));
    }
}
