//! A ZIP archive written as a stream (entries stored, sizes and CRC in data descriptors), so an
//! export of any size goes out without being held in memory or on disk. The archive stays
//! within classic ZIP limits (4 GiB, 65,535 entries); past them the stream ends with an error.

use bytes::{BufMut, Bytes, BytesMut};

struct Entry {
    name: String,
    crc: u32,
    size: u32,
    offset: u32,
}

/// Builds the archive's bytes piece by piece; the caller sends each piece on.
#[derive(Default)]
pub struct ZipStream {
    entries: Vec<Entry>,
    written: u64,
    current: Option<(String, crc32fast::Hasher, u64, u64)>,
}

/// General-purpose flags: sizes in a data descriptor (bit 3), UTF-8 names (bit 11).
const FLAGS: u16 = 0x0808;
/// 1980-01-01 00:00 in DOS format (the entries carry no meaningful time).
const DOS_DATE: u16 = 0x0021;

fn u32_of(n: u64) -> std::io::Result<u32> {
    u32::try_from(n).map_err(|_| std::io::Error::other("the export is larger than a ZIP archive without ZIP64 allows"))
}

impl ZipStream {
    /// The local header of a new entry (call [`ZipStream::data`] with its bytes, then
    /// [`ZipStream::end_file`]).
    pub fn start_file(&mut self, name: &str) -> std::io::Result<Bytes> {
        let mut b = BytesMut::with_capacity(30 + name.len());
        b.put_u32_le(0x0403_4b50);
        b.put_u16_le(20);
        b.put_u16_le(FLAGS);
        b.put_u16_le(0);
        b.put_u16_le(0);
        b.put_u16_le(DOS_DATE);
        b.put_u32_le(0);
        b.put_u32_le(0);
        b.put_u32_le(0);
        b.put_u16_le(u16::try_from(name.len()).map_err(std::io::Error::other)?);
        b.put_u16_le(0);
        b.put_slice(name.as_bytes());
        self.current = Some((name.to_owned(), crc32fast::Hasher::new(), 0, self.written));
        self.written += b.len() as u64;
        Ok(b.freeze())
    }

    /// Passes entry data through, counting it.
    pub fn data(&mut self, chunk: Bytes) -> Bytes {
        if let Some((_, crc, size, _)) = &mut self.current {
            crc.update(&chunk);
            *size += chunk.len() as u64;
        }
        self.written += chunk.len() as u64;
        chunk
    }

    /// The data descriptor that ends the current entry.
    pub fn end_file(&mut self) -> std::io::Result<Bytes> {
        let Some((name, crc, size, offset)) = self.current.take() else { return Ok(Bytes::new()) };
        let entry = Entry { name, crc: crc.finalize(), size: u32_of(size)?, offset: u32_of(offset)? };
        let mut b = BytesMut::with_capacity(16);
        b.put_u32_le(0x0807_4b50);
        b.put_u32_le(entry.crc);
        b.put_u32_le(entry.size);
        b.put_u32_le(entry.size);
        self.entries.push(entry);
        self.written += b.len() as u64;
        Ok(b.freeze())
    }

    /// The central directory and its end record.
    pub fn finish(self) -> std::io::Result<Bytes> {
        let start = u32_of(self.written)?;
        let mut b = BytesMut::new();
        for e in &self.entries {
            b.put_u32_le(0x0201_4b50);
            b.put_u16_le(20);
            b.put_u16_le(20);
            b.put_u16_le(FLAGS);
            b.put_u16_le(0);
            b.put_u16_le(0);
            b.put_u16_le(DOS_DATE);
            b.put_u32_le(e.crc);
            b.put_u32_le(e.size);
            b.put_u32_le(e.size);
            b.put_u16_le(u16::try_from(e.name.len()).map_err(std::io::Error::other)?);
            b.put_u16_le(0);
            b.put_u16_le(0);
            b.put_u16_le(0);
            b.put_u16_le(0);
            b.put_u32_le(0);
            b.put_u32_le(e.offset);
            b.put_slice(e.name.as_bytes());
        }
        let size = u32_of(b.len() as u64)?;
        let count = u16::try_from(self.entries.len()).map_err(|_| std::io::Error::other("more than 65,535 entries"))?;
        b.put_u32_le(0x0605_4b50);
        b.put_u16_le(0);
        b.put_u16_le(0);
        b.put_u16_le(count);
        b.put_u16_le(count);
        b.put_u32_le(size);
        b.put_u32_le(start);
        b.put_u16_le(0);
        Ok(b.freeze())
    }
}
