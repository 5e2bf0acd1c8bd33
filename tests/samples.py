"""Writes one genuine sample of every allowed attachment type into DIR, built with the standard
library: a real PNG, GIF, JPEG, PDF, DOCX, DOC (OLE2 compound file), TXT, ZIP and RAR.

Usage: samples.py DIR
"""
import io
import os
import struct
import sys
import zipfile
import zlib


def png():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))  # 2x2 red, filter byte per row
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def gif():
    # 1x1 GIF89a with a two-colour table.
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\x00"
            b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def jpeg():
    # A complete baseline 1x1 JPEG (SOI, APP0 JFIF, DQT, SOF0, DHT, SOS, EOI).
    return bytes.fromhex(
        "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f"
        "141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101"
        "011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403"
        "050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a1617"
        "18191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a83"
        "8485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7"
        "d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9")


def pdf():
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   '<w:body><w:p><w:r><w:t>Hallo Helpdesk</w:t></w:r></w:p></w:body></w:document>')
    return out.getvalue()


def doc():
    # An OLE2 compound file header (the container of .doc files) with an empty directory.
    header = bytearray(512)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 0x03, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 44, 1, 0, 0, 4096)
    struct.pack_into("<III", header, 56, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", header, 76, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)
    directory = bytearray(512)
    name = "Root Entry".encode("utf-16-le") + b"\x00\x00"
    directory[0:len(name)] = name
    struct.pack_into("<HBB", directory, 64, len(name), 5, 1)
    struct.pack_into("<III", directory, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    struct.pack_into("<I", directory, 116, 0xFFFFFFFE)
    return bytes(header + fat + directory)


def txt():
    return "Grüße aus dem Support.\nZeile 2.\n".encode("utf-8")


def zip_file():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("logs/app.log", "2026-11-22 error: printer offline\n" * 20)
    return out.getvalue()


def rar():
    # RAR 5: signature, main archive header, end of archive header (with their CRC32s).
    def block(header_type, flags=0, extra=b""):
        body = bytes([header_type, flags]) + extra
        size = bytes([len(body)])
        crc = struct.pack("<I", zlib.crc32(size + body) & 0xFFFFFFFF)
        return crc + size + body
    return b"Rar!\x1a\x07\x01\x00" + block(1, 0, b"\x00") + block(5, 0, b"\x00")


SAMPLES = {"sample.png": png, "sample.gif": gif, "sample.jpg": jpeg, "sample.jpeg": jpeg, "sample.pdf": pdf,
           "sample.docx": docx, "sample.doc": doc, "sample.txt": txt, "sample.zip": zip_file, "sample.rar": rar}

if __name__ == "__main__":
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    for name, make in SAMPLES.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(make())
