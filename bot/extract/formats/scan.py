"""A scanned or photographed form read with OCR (Tesseract), each word with its confidence.

The page is turned upright (Tesseract's orientation detection), straightened (the angle
whose rows of ink line up best), then read; words are set in rows and columns as on a text
PDF (`layout.aligned_lines`), and a signature cell's pen strokes read `MARK`. What OCR
reads is never believed more than its confidence: the consent reader takes a scan's date
only when every word of it was read with good confidence.

Bounded: a picture far larger than a page is refused, pages are read at a set resolution,
and every mail has a `Budget` of OCR seconds; a page beyond it is left for a person.
Without Tesseract on the machine a scan is not read at all (`ocr_available`).
"""

from __future__ import annotations

import io
import shutil
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from bot.errors import UnreadableAttachment
from bot.extract.formats.layout import FAINT, MARK, Ink, Layout, Word, aligned_lines, rows_of

# A phone photo is 12-50 megapixels; more than this is no photo of a page.
MOST_PIXELS = 60_000_000
# Pages are read at about 250 dpi: A4's long side.
_LONG_SIDE = 2900
_MOST_FRAMES = 6  # pages of a TIFF
_SKEW_LIMIT = 6.0  # degrees either way that a copier or a hand can tilt a page


@dataclass
class Budget:
    """The OCR seconds one mail may spend, so one long scan cannot hold up the mail behind it."""

    seconds: float = 40.0
    started: float = field(default_factory=time.monotonic)

    @property
    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.started)


@cache
def ocr_available() -> bool:
    """Tesseract and its Python wrapper are installed (`cassbot status` says so once when not)."""
    if shutil.which("tesseract") is None:
        return False
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return False
    return True


def read_scan_file(name: str, data: bytes, budget: Budget) -> Layout:
    """A JPEG, PNG, TIFF or HEIC photo or scan of a form."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    _register_heif()
    try:
        image = Image.open(io.BytesIO(data))
        _refuse_huge(name, image.size)
        frames = [frame.copy() for frame, _ in zip(ImageSequence.Iterator(image), range(_MOST_FRAMES), strict=False)]
    except Image.DecompressionBombError as exc:  # Pillow's own guard, before the size can be read
        raise UnreadableAttachment(f"{name} is a picture far larger than a photo of a page: not read") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableAttachment(f"{name} could not be opened as a picture ({type(exc).__name__})") from exc
    pages = [read_image(f"{name} page {n + 1}" if len(frames) > 1 else name, frame, budget)
             for n, frame in enumerate(frames)]
    return Layout(name, "scan", tuple(line for p in pages for line in p.lines),
                  tuple(c for p in pages for c in p.confidence), tuple(n for p in pages for n in p.notes))


def _register_heif() -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return  # HEIC photos then fail to open, and a person reads them
    register_heif_opener()


def _refuse_huge(name: str, size: tuple[int, int]) -> None:
    if size[0] * size[1] > MOST_PIXELS:
        raise UnreadableAttachment(f"{name} is a picture of {size[0]} x {size[1]} pixels, far larger than a "
                                   "photo of a page: not read")


def read_image(name: str, image: Any, budget: Budget) -> Layout:
    """One page: upright, straight, read. A page OCR could not read, or had no time for, says so."""
    if not ocr_available():
        return Layout(name, "scan", (), (), (f"{name} is a scan and this machine has no OCR (Tesseract): "
                                             "it was not read",))
    if budget.left <= 1:
        return Layout(name, "scan", (), (), (f"{name} was not read: the time for reading this mail's scans ran "
                                             "out",))
    _refuse_huge(name, image.size)
    page = _upright(_straight(_grey(image)), budget)
    cleaned = _without_ruling(page)
    words = _words(cleaned, budget)
    if words is None:
        return Layout(name, "scan", (), (), (f"{name} could not be read by OCR in the time allowed",))
    ink = _ink_finder(cleaned)
    lines = aligned_lines(rows_of(words), ink)
    return Layout(name, "scan", tuple(line for line, _ in lines), tuple(c for _, c in lines))


def _grey(image: Any) -> Any:
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image).convert("L")
    scale = _LONG_SIDE / max(image.size)
    if scale < 0.95 or scale > 1.3:
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    return ImageOps.autocontrast(image, cutoff=1)


def _straight(image: Any) -> Any:
    """The page turned by the small angle that lines its rows of ink up best (projection profile)."""
    import numpy

    small = image.resize((image.width // 4, image.height // 4))
    best, best_score = 0.0, -1.0
    for step in range(int(-_SKEW_LIMIT * 4), int(_SKEW_LIMIT * 4) + 1):
        angle = step / 4
        ink = numpy.asarray(small.rotate(angle, fillcolor=255)) < 128
        score = float(numpy.var(ink.sum(axis=1)))
        if score > best_score:
            best, best_score = angle, score
    return image.rotate(best, fillcolor=255, expand=True) if best else image


def _upright(image: Any, budget: Budget) -> Any:
    import pytesseract

    try:
        found = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT, timeout=max(1, budget.left))
    except (pytesseract.TesseractError, RuntimeError):
        return image  # too little text to tell which way up: read as it is
    turn = int(found.get("rotate", 0)) % 360
    return image.rotate(-turn, expand=True, fillcolor=255) if turn else image


def _without_ruling(image: Any) -> Any:
    """The page with a form's ruling lines whitened: Tesseract reads a ruled table's cells far better without
    them. A line is a straight run of ink longer than a word is wide."""
    import numpy
    from PIL import Image

    dark = numpy.asarray(image) < 140
    length = max(40, image.width // 25)
    across, down = _runs(dark, length), _runs(dark.T, length).T
    ruled = across | down
    for shift in (1, 2):  # a scanned line's grey edges
        ruled |= numpy.roll(across, shift, axis=0) | numpy.roll(across, -shift, axis=0)
        ruled |= numpy.roll(down, shift, axis=1) | numpy.roll(down, -shift, axis=1)
    page = numpy.asarray(image).copy()
    page[ruled] = 255
    return Image.fromarray(page)


def _runs(dark: Any, length: int) -> Any:
    """Where each row of `dark` has a run of at least `length` dark pixels."""
    import numpy

    sums = numpy.cumsum(numpy.pad(dark, ((0, 0), (1, 0))), axis=1, dtype=numpy.int32)
    full = (sums[:, length:] - sums[:, :-length]) == length  # the window starting here is all ink
    starts = numpy.cumsum(numpy.pad(full, ((0, 0), (1, 0))), axis=1, dtype=numpy.int32)
    width = dark.shape[1]
    index = numpy.arange(width)
    low, high = numpy.clip(index - length + 1, 0, full.shape[1]), numpy.clip(index + 1, 0, full.shape[1])
    return (starts[:, high] - starts[:, low]) > 0


def _words(image: Any, budget: Budget) -> list[Word] | None:
    import pytesseract

    try:
        data = pytesseract.image_to_data(image, config="--psm 11", output_type=pytesseract.Output.DICT,
                                         timeout=max(1, budget.left))
    except RuntimeError:
        return None  # pytesseract's timeout
    except pytesseract.TesseractError:
        return []
    words = [Word(text.strip(_RULING_LEFT), left, left + width, top, top + height, float(conf))
             for text, left, top, width, height, conf in zip(data["text"], data["left"], data["top"], data["width"],
                                                            data["height"], data["conf"], strict=True)
             if float(conf) >= 0]
    return [w for w in words if any(c.isalnum() for c in w.text)]


# What is left of a ruling line beside a word ("|Name", "Smith|", "[Date"): not part of it.
_RULING_LEFT = " |[]{}‘’“”_—–=~!\\/:;"


def _ink_finder(image: Any) -> Ink:
    """Pen strokes in a box of the page with its ruling whitened: enough dark pixels, spread over enough of
    the box's width, to be a signature or initials rather than a speck or what is left of a line."""
    import numpy

    dark = numpy.asarray(image) < 140

    def ink(x0: float, top: float, x1: float, bottom: float) -> str:
        height = bottom - top
        box = dark[max(0, int(top - height * 0.6)):int(bottom + height * 0.6), int(x0 + 6):max(int(x0 + 7),
                                                                                             int(x1 - 6))]
        if box.size == 0 or int(box.sum()) < 15:
            return ""
        spread = float(box.any(axis=0).mean())
        return MARK if int(box.sum()) >= 80 and spread >= 0.12 else FAINT

    return ink
