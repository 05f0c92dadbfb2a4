"""Article fixtures in other formats, written by the tests themselves: PDF (a hand-made content stream,
then pypdf for encryption), Word (python-docx) and saved pages (plain HTML)."""

from __future__ import annotations

import html
import io


def make_pdf(pages: list[list[str]], title: str = "", author: str = "") -> bytes:
    """A PDF whose pages draw these lines top to bottom in Helvetica (a text layer pypdf reads)."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{' '.join(f'{i} 0 R' for i in page_ids)}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 740 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            + f"/Contents {len(objects) + 2} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info = f"<< /Title ({title}) /Author ({author}) >>".encode() if title or author else b""
    if info:
        objects.append(info)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R"
    trailer += f" /Info {len(objects)} 0 R >>" if info else " >>"
    out.write(f"{trailer}\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_blank_pdf() -> bytes:
    """A page with no text layer (what a scan without OCR looks like to a reader)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypt_pdf(pdf: bytes, password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(paragraphs: list[str], title: str = "", author: str = "") -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.core_properties.title = title
    document.core_properties.author = author
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_page(title: str, paragraphs: list[str], author: str = "", site: str = "", date: str = "") -> bytes:
    """A saved news page: navigation, the article, related links and a footer around it."""
    meta = "".join(
        f'<meta property="{k}" content="{html.escape(v)}">'
        for k, v in (("og:title", title), ("og:site_name", site), ("article:published_time", date))
        if v
    )
    byline = f'<p class="byline">By <span class="author">{html.escape(author)}</span></p>' if author else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    nav = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(8))
    related = "".join(f'<li><a href="/r/{i}">Related story number {i}</a></li>' for i in range(6))
    return (
        f"<!doctype html><html><head><title>{html.escape(title)}</title>{meta}"
        f'<meta name="author" content="{html.escape(author)}"></head><body>'
        f"<nav><ul>{nav}</ul></nav><article><h1>{html.escape(title)}</h1>{byline}{body}</article>"
        f"<aside><h2>Related posts</h2><ul>{related}</ul></aside><footer>Subscribe to our newsletter</footer>"
        "</body></html>"
    ).encode()
