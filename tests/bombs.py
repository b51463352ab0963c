"""Hostile documents built on the spot: each small to upload and costly to read the naive way.

Used by tests/test_upload_limits.py and by bench/uploads.py, which measures what reading each one costs.
"""

import io
import struct
import zipfile
import zlib

import docx
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

MB = 1024 * 1024


def small_docx(text: str = "A short Word document.") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with_lying_directory(padding: int) -> bytes:
    """A Word document whose word/document.xml is followed by `padding` spaces (legal after the root element),
    while the zip's central directory and local header declare only the XML: its size and its checksum.

    zipfile's read() inflates the whole member in one step and only then trims it to the declared size.
    """
    source = zipfile.ZipFile(io.BytesIO(small_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, content)
                continue
            xml = content
            member = zipfile.ZipInfo(info.filename)
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w") as stream:
                stream.write(xml)
                _write_repeated(stream, b" ", padding)
    return _declare(out.getvalue(), "word/document.xml", size=len(xml), crc=zlib.crc32(xml))


def docx_with_huge_member(size: int) -> bytes:
    """A Word document with an extra member of `size` zero bytes, declared honestly."""
    out = io.BytesIO(small_docx())
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/padding.bin", "w", force_zip64=True) as stream,
    ):
        _write_repeated(stream, b"\0", size)
    return out.getvalue()


def nested_html(size: int) -> bytes:
    """`size` bytes of <div>s, each inside the one before."""
    depth = size // len(b"<div></div>")
    return b"<div>" * depth + b"x" + b"</div>" * depth


def dense_html(size: int) -> bytes:
    """`size` bytes of one-letter bold words: about one element for every nine bytes."""
    return b"<p>" + b"<b>x</b> " * (size // 9) + b"</p>"


def markdown_emphasis(size: int) -> bytes:
    """One paragraph of `size` bytes, every word emphasised."""
    return b"*a* " * (size // 4)


def pdf_with_inflating_page(inflated: int, *, pages: int = 1, filler: bytes = b" ") -> bytes:
    """A PDF whose pages all draw one content stream: a line of text, then `inflated` bytes of `filler`."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for _ in range(pages):
        pdf.add_page()
        pdf.cell(0, 6, "A page of a PDF.")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    first = writer.pages[0]["/Contents"].get_object().get_data()
    compressor = zlib.compressobj(9)
    chunk = filler * (MB // len(filler))
    body = [compressor.compress(first + b"\n")]
    body += [compressor.compress(chunk) for _ in range(inflated // len(chunk))]
    stream = StreamObject()
    stream.set_data(b"".join(body) + compressor.flush())
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    reference = writer._add_object(stream)
    for page in writer.pages:
        page[NameObject("/Contents")] = reference
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _write_repeated(stream, byte: bytes, size: int) -> None:
    chunk = byte * MB
    for _ in range(size // MB):
        stream.write(chunk)
    stream.write(byte * (size % MB))


def _declare(data: bytes, name: str, *, size: int, crc: int) -> bytes:
    """The archive with `name`'s uncompressed size and checksum rewritten in its central directory and local header."""
    patched = bytearray(data)
    encoded = name.encode()
    position = 0
    while (position := patched.find(b"PK\x01\x02", position)) != -1:
        name_length = struct.unpack_from("<H", patched, position + 28)[0]
        if patched[position + 46 : position + 46 + name_length] == encoded:
            local = struct.unpack_from("<I", patched, position + 42)[0]
            struct.pack_into("<I", patched, position + 16, crc)
            struct.pack_into("<I", patched, position + 24, size)
            struct.pack_into("<I", patched, local + 14, crc)
            struct.pack_into("<I", patched, local + 22, size)
        position += 4
    return bytes(patched)
