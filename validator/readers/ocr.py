"""OCR reader: tables published as images (scanned PDF pages, PNG/JPEG, pictures in HTML/DOCX).

Optional: needs the ``ocr`` extra (``pip install 'gov-report-validator[ocr]'``): RapidOCR with
the PP-OCRv6 Chinese detection and recognition models that ship inside its wheel (loaded from
the installed package by path, never downloaded), ONNX Runtime on the CPU with one thread
(deterministic: the same image always gives the same text and scores), OpenCV (headless) for
the table structure. Only RapidOCR's public API is used (``RapidOCR(params=...)`` and its
call with ``use_det``/``use_rec``). Nothing here touches the network.

What is read, in this order, for one image:

1. **Deskew.** The long horizontal ruling lines (or, without them, the text lines) give the
   page's rotation; rotations up to :data:`MAX_SKEW` degrees are undone.
2. **Ruling lines** are found by morphology (opening the binarised image with long thin
   horizontal and vertical kernels). Each connected set of lines large enough is a table; its
   cells are the enclosed regions between the lines, placed on a grid of all their edges
   (so a merged cell spans grid rows/columns, like the PDF reader's cells).
3. **Text in a ruled table** is recognised cell by cell, from the cell's own ink (cut inside its
   ruling lines), one line of ink at a time: the grid already says where the text is, so no
   detector runs over the table. A line of ink too tall for one line of text (lines set
   close together, a vertical label) is detected inside its own crop. **Text outside the
   tables** is detected and recognised with the tables painted white, in the bands of the
   page that hold ink.
4. **Tables without ruling lines**: lines of text with several widely spaced boxes, three or
   more in a row, form a table; its columns come from the boxes of its widest line (the
   header), its rows from the text lines' baselines.
5. **Confidence is data.** Every cell keeps its recognition score and its region of the image
   (:class:`~validator.document.Recognition`). A cell whose text could not be recognised (ink
   but no text) or whose number was recognised with a score below :data:`MIN_SCORE` is marked
   ``unsure``; extraction reports it as unreadable (rule X030), never as a value. So is a
   cell that ran into its neighbours because a ruling line is missing: a cell with rules
   running inside it (a broken line) is cut into the parts they outline, and a cell holding
   a number across grid positions its neighbours divide is cut into them, each part
   ``broken`` and unsure (which figure is whose, and which part is blank, cannot be told).
   Value cells keep a small PNG of their region (``crop``), which the HTML report shows
   beside the value read for the cells its findings name.

The result is a :class:`Page` (tables as grids of cells, and text lines outside tables) in
pixel coordinates; the PDF reader turns pages into its own tables and paragraphs (so page
breaks, merged labels and paragraphs are handled as for a text PDF), and :func:`read` does the
same for an image file.

Limits: an image over :data:`MAX_PIXELS` pixels is refused (Pillow's decompression-bomb check
is set to the same limit), larger images are scaled down to :data:`MAX_SIDE` pixels on their
long side before recognition.
"""
from __future__ import annotations

import bisect
import functools
import io
import math
import re
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from validator.document import Recognition
from validator.errors import Unreadable
from validator.text import IDEOGRAPHS, normalize_text

__all__ = ["available", "read", "read_image", "Page", "OcrCell", "OcrTable", "OcrLine"]

MAX_PIXELS = 60_000_000
"""Largest image decoded (60 megapixels: an A3 page scanned at 600 dpi is 70; an A4 page at
300 dpi is 8.7). Larger images are refused before they are decoded."""

MAX_SIDE = 2600
"""Images are scaled down to this many pixels on their long side before recognition (an A4
page at about 220 dpi): more resolution does not read better and costs time."""

MIN_SIDE = 32
"""Images smaller than this on either side hold no readable table and are skipped."""

MIN_SCORE = 0.80
"""A number recognised with a lower score is not trusted: the cell is reported unreadable.
PP-OCRv6 gives clean digits 0.95-1.0; blurred, compressed thin digits drop below 0.8."""

MAX_SKEW = 5.0
"""Largest rotation (degrees) undone; a page turned further is read as it is."""

CROP_HEIGHT, CROP_WIDTH = 40, 240
"""Largest size (pixels) of the image crop kept for a value cell (shown beside the value read
in the HTML report); crops are scaled down, never up."""

CROP_BYTES = 4096
"""Largest PNG kept for one cell's crop; a larger one is scaled down further, or not kept."""

THREADS = 1
"""ONNX Runtime and OpenCV threads: one, so results do not depend on scheduling."""

DET_SIDE = 1280
"""Text is detected on the image scaled down to this many pixels on its long side (an A4 page
at about 110 dpi finds every text box), and recognised at full resolution."""

PDF_DPI = 150
"""Resolution at which PDF pages without a text layer are rendered for recognition."""

INSTALL_HINT = "如需识别图片中的表格，请安装 OCR 组件：pip install 'gov-report-validator[ocr]'"


# ---------------------------------------------------------------- the page model


@dataclass
class OcrCell:
    r0: int
    r1: int  # exclusive
    c0: int
    c1: int  # exclusive
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels
    text: str = ""
    score: float | None = None  # lowest score of its recognised text; None when empty
    unsure: bool = False
    crop: bytes | None = field(default=None, repr=False)  # the cell's region, a small PNG (value cells)
    # the table's structure around this cell is not what its rules draw (a ruling line is
    # missing): whatever it holds is unreadable
    broken: bool = False


@dataclass
class OcrTable:
    bbox: tuple[int, int, int, int]
    xs: list[float]  # column boundaries (pixels)
    ys: list[float]
    cells: list[OcrCell]
    ruled: bool = True


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def h(self) -> float:
        return self.y1 - self.y0


@dataclass
class OcrLine(_Box):
    """A line of text outside the tables (a recognised box, pixels)."""

    tabular: bool = False
    size: float = 0.0  # height of the line's ink (pixels): its font size, for paragraphs and titles


@dataclass
class Page:
    width: int
    height: int
    tables: list[OcrTable] = field(default_factory=list)
    lines: list[OcrLine] = field(default_factory=list)  # text outside tables, top to bottom
    angle: float = 0.0  # rotation undone (degrees)

    def recognition(self, cell: OcrCell, image: str) -> Recognition:
        return Recognition(score=cell.score, box=cell.box, unsure=cell.unsure, image=image, crop=cell.crop,
                           merged=cell.broken)


# ---------------------------------------------------------------- the engine


_ENABLED: ContextVar[bool] = ContextVar("ocr_enabled", default=True)
_ON_START: ContextVar[object] = ContextVar("ocr_on_start", default=None)


def wanted() -> bool:
    """Whether OCR is switched on for the file being read (``--no-ocr`` switches it off)."""
    return _ENABLED.get()


def enabled() -> bool:
    """Whether OCR is switched on and installed."""
    return _ENABLED.get() and available()


@contextmanager
def settings(enabled: bool = True, on_start=None):
    """Switch OCR on or off while reading one file; ``on_start()`` is called once before the
    first image is recognised (the runner gives the file its larger OCR time budget then)."""
    a, b = _ENABLED.set(enabled), _ON_START.set(on_start)
    try:
        yield
    finally:
        _ENABLED.reset(a)
        _ON_START.reset(b)


def _started() -> None:
    hook = _ON_START.get()
    if hook is not None:
        _ON_START.set(None)
        hook()


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Whether the OCR extra is installed (RapidOCR, ONNX Runtime, OpenCV)."""
    try:
        import cv2  # noqa: F401
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken install is "not available"
        return False
    return True


_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _engine():
    """The RapidOCR pipeline with the models of the installed package, one CPU thread."""
    import logging

    import cv2
    import rapidocr

    cv2.setNumThreads(THREADS)
    models = Path(rapidocr.__file__).resolve().parent / "models"
    paths = {"Det": models / "PP-OCRv6_det_small.onnx", "Rec": models / "PP-OCRv6_rec_small.onnx",
             "Cls": models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}
    for p in paths.values():
        if not p.is_file():  # never fall back to downloading
            raise Unreadable("OCR 组件不完整（缺少识别模型文件），请重新安装：pip install 'gov-report-validator[ocr]'",
                             f"model file {p} not found")
    # No resizing by the pipeline (images are already within MAX_SIDE, see open_image): a
    # single-line crop is recognised at its own size, never first blown up to 30 px.
    params = {"Global.log_level": "error", "Global.use_cls": False, "Global.text_score": 0.0,
              "Global.use_preprocess_img": False, "Global.model_root_dir": str(models)}
    for task, p in paths.items():
        params[f"{task}.model_path"] = str(p)
    # Detection at most DET_SIDE px on the long side (the boxes are mapped back and each line
    # is recognised at full resolution, see _detect). Recognition one crop at a
    # time at its own width (no padding to a batch's widest): a cell's text and score depend on
    # that cell's pixels only (the model's time grows with the width, so batching would save
    # nothing on one thread). At least 64 px: a lone digit reads with the same scores as in
    # 96 px, and with lower ones in a narrower slot (a "0" at 0.75 in 48 px).
    params.update({"Det.limit_type": "max", "Det.limit_side_len": DET_SIDE,
                   "Rec.rec_img_shape": [3, 48, 64], "Rec.rec_batch_num": 1})
    params["EngineConfig.onnxruntime.intra_op_num_threads"] = THREADS
    params["EngineConfig.onnxruntime.inter_op_num_threads"] = THREADS
    engine = rapidocr.RapidOCR(params=params)
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return engine


def _detect(img, scale: float = 1.0) -> list[_Box]:
    """Detect the text lines of an RGB image and recognise each, cut out of the image at its
    full resolution. ``scale`` < 1: detect on the image scaled down so (a band of a page is
    detected at the scale of its whole page, see :func:`_detect_outside`)."""
    import cv2
    import numpy as np

    h, w = img.shape[:2]
    small = img if scale >= 1 else cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))))
    with _lock:
        out = _engine()(small, use_det=True, use_cls=False, use_rec=False)
    quads = getattr(out, "boxes", None)
    if quads is None or not len(quads):
        return []
    quads = np.asarray(quads, dtype=np.float32) / min(scale, 1.0)
    read = _recognise([_line_crop(img, q) for q in quads])
    return [_Box(float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()), text, score)
            for q, (text, score) in zip(quads, read)]


def _line_crop(img, quad):
    """The image of one detected text line, straightened (RapidOCR's own crop: the box's
    quadrilateral mapped onto a rectangle; a box standing upright, a vertical label, is
    turned to read left to right)."""
    import cv2
    import numpy as np

    w = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    h = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    m = cv2.getPerspectiveTransform(quad, np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32))
    crop = cv2.warpPerspective(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    return np.ascontiguousarray(np.rot90(crop)) if h >= 1.5 * w else crop


def _recognise(crops: list) -> list[tuple[str, float]]:
    """Recognise single-line crops (no detection), one call of the public pipeline each
    (``use_det=False``): the same recogniser as the page-wide pass, crop by crop."""
    out = []
    with _lock:
        eng = _engine()
        for crop in crops:
            got = eng(crop, use_det=False, use_cls=False, use_rec=True)
            txts, scores = getattr(got, "txts", None), getattr(got, "scores", None)
            out.append((_clean(txts[0]), float(scores[0])) if txts and scores else ("", 0.0))
    return out


def _clean(text: str) -> str:
    return normalize_text(text or "")


# ---------------------------------------------------------------- image loading


def open_image(data: bytes, name: str = "图片"):
    """Decode image bytes into an RGB numpy array, within the pixel limit. Raises Unreadable."""
    import numpy as np
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses (DecompressionBombError) above 2x, warns above 1x
    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise Unreadable(f"{name}过大（{w}×{h} 像素，上限 {MAX_PIXELS // 1_000_000} 百万像素），拒绝识别",
                                 f"{w}x{h} pixels")
            im = ImageOps.exif_transpose(im)
            im = im.convert("RGB")
            if max(im.size) > MAX_SIDE:
                im.thumbnail((MAX_SIDE, MAX_SIDE), Image.LANCZOS)
            return np.asarray(im).copy()
    except Unreadable:
        raise
    except Image.DecompressionBombError as e:
        raise Unreadable(f"{name}像素数超过上限，可能是解压炸弹，拒绝识别", str(e)) from None
    except Exception as e:  # noqa: BLE001 - truncated or unknown image data
        raise Unreadable(f"{name}已损坏或格式不受支持，无法识别", f"{type(e).__name__}: {e}") from None


# ---------------------------------------------------------------- structure


def _binary(gray):
    import cv2

    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def _line_masks(bw, scale: int):
    """Horizontal and vertical ruling lines of a binarised image."""
    import cv2

    h, w = bw.shape
    lh = max(20, w // scale)
    lv = max(25, h // (scale * 3 // 2))  # longer than a digit "1" (about 20 px at 150 dpi)
    horiz = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (lh, 1)))
    vert = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, lv)))
    return horiz, vert


def _skew(bw) -> float:
    """The rotation of the page (degrees, counter-clockwise positive) from the long horizontal
    rules of its binarised image, or 0 when there are none."""
    import cv2
    import numpy as np

    h, w = bw.shape
    # Short kernels: a rule tilted by 1-2 degrees stays on one pixel row for only ~60-120 px.
    horiz = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, w // 60), 1)))
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, w // 60), 3)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(horiz, connectivity=8)
    angles, weights = [], []
    for i in range(1, n):
        x, y, cw, ch, _ = stats[i]
        if cw < w / 5 or ch > cw * math.tan(math.radians(MAX_SKEW)) + 12:
            continue
        ys, xs = np.nonzero(labels[y:y + ch, x:x + cw] == i)
        if len(xs) < 50:
            continue
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append(-math.degrees(math.atan(slope)))
        weights.append(cw)
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.array(weights)[order])
    return float(np.array(angles)[order][np.searchsorted(cum, cum[-1] / 2)])


def _rotate(img, angle: float):
    import cv2

    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    border = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=border)


def _cluster(values, tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _nearest(points: list[float], v: float) -> int:
    """The index of the point nearest to ``v`` (``points`` ascending; the lower on a tie)."""
    i = bisect.bisect_left(points, v)
    if i == 0 or i == len(points):
        return min(i, len(points) - 1)
    return i - 1 if v - points[i - 1] <= points[i] - v else i


def _ruled_tables(bw) -> tuple[list[OcrTable], object]:
    """Tables drawn with ruling lines in a binarised image, and the mask of those lines."""
    import cv2
    import numpy as np

    h, w = bw.shape
    horiz, vert = _line_masks(bw, 40)
    lines = cv2.dilate(cv2.bitwise_or(horiz, vert), cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables: list[OcrTable] = []
    tol = max(4.0, w / 250)
    for i in range(1, n):
        x, y, tw, th, _ = stats[i]
        if tw < w / 6 or th < 2 * tol:
            continue
        region = labels[y:y + th, x:x + tw] == i
        # Close the outer frame: a table cut by a page break has no bottom (or top) border,
        # and its last row would leak out of the grid; the table's extent bounds it.
        region[0, :] = region[-1, :] = region[:, 0] = region[:, -1] = True
        free = np.where(region, 0, 255).astype(np.uint8)
        m, cl, cst, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
        boxes = []
        for j in range(1, m):
            cx, cy, cw, ch, area = cst[j]
            if cw < tol or ch < tol or area < 0.6 * cw * ch:
                continue  # slivers between doubled lines, or the outside of a non-rectangular table
            parts = _broken_parts(region, (cx, cy, cx + cw, cy + ch), tol)
            boxes.extend((x + a, y + b, x + c, y + d, len(parts) > 1) for a, b, c, d in parts)
        if len(boxes) < 2:
            continue
        xs = _cluster([v for b in boxes for v in (b[0], b[2])], tol)
        ys = _cluster([v for b in boxes for v in (b[1], b[3])], tol)
        # The gap of a ruling line lies between a cell's right edge and the next one's left edge:
        # merge each such pair of boundaries into one at the line.
        xs = _merge_gaps(xs, 3 * tol)
        ys = _merge_gaps(ys, 3 * tol)
        if len(xs) < 3 or len(ys) < 2:
            continue
        cells = []
        taken: set[tuple[int, int]] = set()
        for b in sorted(boxes, key=lambda b: (b[1], b[0])):
            c0, c1 = _nearest(xs, b[0]), _nearest(xs, b[2])
            r0, r1 = _nearest(ys, b[1]), _nearest(ys, b[3])
            if c1 <= c0 or r1 <= r0:
                continue
            span = {(r, c) for r in range(r0, r1) for c in range(c0, c1)}
            if span & taken:
                continue
            taken |= span
            cells.append(OcrCell(r0, r1, c0, c1, tuple(int(v) for v in b[:4]), broken=b[4]))
        if len(xs) - 1 >= 2 and cells:
            tables.append(OcrTable((int(x), int(y), int(x + tw), int(y + th)), xs, ys, cells))
    tables.sort(key=lambda t: t.bbox[1])
    return tables, lines


def _broken_parts(region, box, tol: float) -> list[tuple[int, int, int, int]]:
    """A cell region cut into the parts its rules outline, when ruling lines run inside it
    (a rule broken by a faint scan or a gap joins cells that the rest of the line still
    separates). ``[box]`` when no rule runs inside: a merged cell drawn as such."""
    import numpy as np

    x0, y0, x1, y1 = box
    t = int(tol)
    inner = region[y0 + t:y1 - t, x0 + t:x1 - t]
    if inner.shape[0] < 2 * t or inner.shape[1] < 2 * t:
        return [box]

    def cuts(sums, extent: int, offset: int) -> list[int]:
        hit = np.flatnonzero(sums >= max(3 * tol, 0.25 * extent))
        if not len(hit):
            return []
        runs = np.split(hit, np.flatnonzero(np.diff(hit) > 1) + 1)
        return [offset + t + int(r.mean()) for r in runs]

    xs = cuts(inner.sum(axis=0), inner.shape[0], x0)
    ys = cuts(inner.sum(axis=1), inner.shape[1], y0)
    if not xs and not ys:
        return [box]
    xb, yb = [x0, *xs, x1], [y0, *ys, y1]
    return [(a, b, c, d) for b, d in zip(yb, yb[1:]) for a, c in zip(xb, xb[1:])]


def _merge_gaps(points: list[float], gap: float) -> list[float]:
    out: list[float] = []
    for p in points:
        if out and p - out[-1] <= gap:
            out[-1] = (out[-1] + p) / 2
        else:
            out.append(p)
    return out


# ---------------------------------------------------------------- text into cells


def _ink_box(bw, box, margin: int):
    """The bounding box of the ink inside a cell (ruling lines excluded), or None."""
    import numpy as np

    x0, y0, x1, y1 = box
    sub = bw[y0 + margin:y1 - margin, x0 + margin:x1 - margin]
    if sub.size == 0:
        return None
    ys, xs = np.nonzero(sub)
    if len(xs) < 12:
        return None
    return (x0 + margin + int(xs.min()), y0 + margin + int(ys.min()),
            x0 + margin + int(xs.max()) + 1, y0 + margin + int(ys.max()) + 1)


def _ink_lines(bw, box, margin: int, text_h: float) -> list[tuple[int, int, int, int]]:
    """The lines of ink in a cell, top to bottom: runs of pixel rows holding ink, split at
    blank gaps taller than a third of the text height (the gaps inside 三, or between the
    characters of a vertical label, are smaller); runs under half the text height are specks,
    dropped. Each line is cut where a blank gap is wider than two characters (words set
    apart, as a detector would box them)."""
    import numpy as np

    x0, y0, x1, y1 = box
    sub = bw[y0 + margin:y1 - margin, x0 + margin:x1 - margin]
    if sub.size == 0:
        return []
    rows = np.flatnonzero(sub.any(axis=1))
    if not len(rows):
        return []
    cut = np.flatnonzero(np.diff(rows) > max(2, int(text_h / 3))) + 1
    out = []
    for run in np.split(rows, cut):
        a, b = int(run[0]), int(run[-1]) + 1
        if b - a < 0.5 * text_h:
            continue
        cols = np.flatnonzero(sub[a:b].any(axis=0))
        for part in np.split(cols, np.flatnonzero(np.diff(cols) > 2 * text_h) + 1):
            out.append((x0 + margin + int(part[0]), y0 + margin + a, x0 + margin + int(part[-1]) + 1, y0 + margin + b))
    return out


def _crop(img, box, pad: int, within=None):
    """The image of ``box`` with ``pad`` pixels around it, inside ``within`` (a cell's box:
    the crop holds none of its ruling lines) and the image."""
    import numpy as np

    x0, y0, x1, y1 = box
    h, w = img.shape[:2]
    lx0, ly0, lx1, ly1 = within or (0, 0, w, h)
    sub = img[max(0, ly0, y0 - pad):min(h, ly1, y1 + pad), max(0, lx0, x0 - pad):min(w, lx1, x1 + pad)]
    return np.ascontiguousarray(sub)


def _join_lines(boxes: list[_Box]) -> str:
    """Text of several boxes in one cell: lines top to bottom, left to right, joined."""
    if not boxes:
        return ""
    h = sorted(b.h for b in boxes)[len(boxes) // 2]
    rows: list[list[_Box]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        if rows and abs(b.cy - rows[-1][-1].cy) <= 0.5 * h:
            rows[-1].append(b)
        else:
            rows.append([b])
    text = ""
    for r in rows:
        for b in sorted(r, key=lambda b: b.x0):
            t = b.text
            if text and text[-1].isascii() and text[-1].isalnum() and t[:1].isascii() and t[:1].isalnum():
                text += " "
            text += t
    return _clean(text)


_WORDY = re.compile(f"[{IDEOGRAPHS}0-9]")
_NUMBERISH = re.compile(r"^[\d\s.,，．%％+\-−]*$")


def _split_numbers(table: OcrTable, mine: dict[int, list[_Box]]) -> None:
    """A cell spanning several grid columns that holds several numbers lost its column rules
    (blur, a faint scan): split it into the table's columns; each part is read on its own."""
    for ci in range(len(table.cells)):
        cell, got = table.cells[ci], mine.get(ci, [])
        if cell.c1 - cell.c0 < 2 or not got or not all(_NUMBERISH.match(b.text) for b in got):
            continue
        if sum(len(b.text.split()) for b in got) < 2:
            continue
        parts = []
        for c in range(cell.c0, cell.c1):
            x0, x1 = int(table.xs[c]), int(table.xs[c + 1])
            parts.append(OcrCell(cell.r0, cell.r1, c, c + 1, (max(x0, cell.box[0]), cell.box[1],
                                                             min(x1, cell.box[2]), cell.box[3])))
        table.cells[ci] = parts[0]
        first_new = len(table.cells)
        table.cells.extend(parts[1:])
        mine.pop(ci)
        for b in got:  # boxes holding one number inside one part keep it; the rest is re-read
            if len(b.text.split()) != 1:
                continue
            for k, part in enumerate(parts):
                if part.box[0] <= b.x0 and b.x1 <= part.box[2]:
                    mine.setdefault(ci if k == 0 else first_new + k - 1, []).append(b)
                    break


def _cut_across(table: OcrTable, cell: OcrCell) -> bool:
    """Whether the cells next to ``cell`` are divided where it is not: a cell above or below
    with a column edge strictly inside its columns, or one left or right with a row edge
    strictly inside its rows (a merged cell drawn as such lines up with its neighbours, as
    表二's 本年处理决定数量 with its header)."""
    for o in table.cells:
        if (o.r1 == cell.r0 or o.r0 == cell.r1) and o.c0 < cell.c1 and o.c1 > cell.c0 and (
                cell.c0 < o.c0 < cell.c1 or cell.c0 < o.c1 < cell.c1):
            return True
        if (o.c1 == cell.c0 or o.c0 == cell.c1) and o.r0 < cell.r1 and o.r1 > cell.r0 and (
                cell.r0 < o.r0 < cell.r1 or cell.r0 < o.r1 < cell.r1):
            return True
    return False


def _split_merged_values(table: OcrTable, mine: dict[int, list[_Box]]) -> None:
    """A cell spanning several grid positions that holds a number while its neighbours are
    divided inside its span lost a ruling line: which position the number belongs to, and
    whether the others are blank, cannot be told. Split it into its positions, each
    :attr:`~OcrCell.broken` (unreadable); the text boxes go where their centres are."""
    for ci in range(len(table.cells)):
        cell, got = table.cells[ci], mine.get(ci, [])
        if (cell.r1 - cell.r0) * (cell.c1 - cell.c0) < 2 or not any(_NUMBERISH.match(b.text) and
                                                                   any(ch.isdigit() for ch in b.text) for b in got):
            continue
        if not _cut_across(table, cell):
            continue
        parts = []
        for r in range(cell.r0, cell.r1):
            for c in range(cell.c0, cell.c1):
                box = (max(int(table.xs[c]), cell.box[0]), max(int(table.ys[r]), cell.box[1]),
                       min(int(table.xs[c + 1]), cell.box[2]), min(int(table.ys[r + 1]), cell.box[3]))
                parts.append(OcrCell(r, r + 1, c, c + 1, box, broken=True))
        table.cells[ci] = parts[0]
        first_new = len(table.cells)
        table.cells.extend(parts[1:])
        mine.pop(ci)
        for b in got:
            k = min(range(len(parts)), key=lambda k: _outside(parts[k].box, b.cx, b.cy))
            mine.setdefault(ci if k == 0 else first_new + k - 1, []).append(b)


def _outside(box, x: float, y: float) -> float:
    """How far a point lies outside a box (0 inside)."""
    x0, y0, x1, y1 = box
    return max(x0 - x, 0, x - x1) + max(y0 - y, 0, y - y1)


def _text_height(bw, tables: list[OcrTable]) -> float:
    """The height of the tables' text: the median height of their cells' ink (most cells hold
    one line, a number or a short label)."""
    hs = sorted(b[3] - b[1] for t in tables for c in t.cells if (b := _ink_box(bw, c.box, 2)) is not None)
    return float(hs[len(hs) // 2]) if hs else 20.0


def _read_cell(img, bw, box, text_h: float) -> list[_Box]:
    """The text of one cell, recognised from its own ink line by line (no page-wide
    detection: the rules already say where the text is), each line cut out of the image
    inside the cell (no ruling line in the crop). A line of ink too tall for one line of text
    (lines set close together) is detected again inside its crop."""
    margin, pad = max(2, int(text_h / 5)), max(4, int(text_h * 0.4))
    bands = _ink_lines(bw, box, margin, text_h)
    if not bands:
        ink = _ink_box(bw, box, margin)
        if ink is None:
            return []
        bands = [ink]  # ink, but only specks: read it anyway (a "1" lost to thresholding)
    out: list[_Box] = []
    for band in bands:
        crop = _crop(img, band, pad, within=box)
        ox, oy = max(0, box[0], band[0] - pad), max(0, box[1], band[1] - pad)
        found = [] if band[3] - band[1] <= 1.7 * text_h else [
            _Box(b.x0 + ox, b.y0 + oy, b.x1 + ox, b.y1 + oy, b.text, b.score) for b in _detect(crop)]
        if not found:
            (text, score), = _recognise([crop])
            found = [_Box(*band, text, score)]
        out.extend(b for b in found if b.text)
    return out


def _fill_cells(img, bw, table: OcrTable, text_h: float) -> None:
    """Read the cells of one ruled table; cut the cells that lost a ruling line."""
    mine = {ci: _read_cell(img, bw, cell.box, text_h) for ci, cell in enumerate(table.cells)}
    _split_numbers(table, mine)
    _split_merged_values(table, mine)
    for ci, cell in enumerate(table.cells):
        got = mine[ci] if ci in mine else _read_cell(img, bw, cell.box, text_h)  # a part of a cut cell
        if got:
            cell.text = _join_lines(got)
            cell.score = min(b.score for b in got)
        elif _ink_box(bw, cell.box, max(2, int(text_h / 5))) is not None:
            cell.unsure = True  # ink, and no text found
        if cell.broken or (cell.text and cell.score < MIN_SCORE and _doubtful(cell.text)):
            cell.unsure = True


def _doubtful(text: str) -> bool:
    """Text that a low score makes untrustworthy: a number, or a mark or two (a thin "1" is
    read as "一" or "l"); longer labels are matched to the template by meaning anyway."""
    return bool(_NUMBERISH.match(text)) or len(text.replace(" ", "")) <= 2


# ---------------------------------------------------------------- unruled tables


def _text_lines(boxes: list[_Box]) -> list[list[_Box]]:
    rows: list[list[_Box]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        for r in reversed(rows[-2:]):
            ref = r[0]
            overlap = min(ref.y1, b.y1) - max(ref.y0, b.y0)
            if overlap >= 0.5 * min(ref.h, b.h):
                r.append(b)
                break
        else:
            rows.append([b])
    for r in rows:
        r.sort(key=lambda b: b.x0)
    return rows


def _is_tabular(line: list[_Box]) -> bool:
    if len(line) < 3:
        return False
    h = max(b.h for b in line)
    return sum(1 for a, b in zip(line, line[1:]) if b.x0 - a.x1 > 1.5 * h) >= 2


def _unruled_tables(lines: list[list[_Box]]) -> tuple[list[OcrTable], set[int]]:
    """Tables without ruling lines: runs of three or more tabular text lines. Columns from the
    boxes of the run's widest line (its header), rows from the text lines."""
    tables: list[OcrTable] = []
    taken: set[int] = set()
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _is_tabular(lines[j]):
            j += 1
        if j - i >= 3:
            run = lines[i:j]
            head = max(run, key=len)
            bounds = [head[0].x0]
            for a, b in zip(head, head[1:]):
                bounds.append((a.x1 + b.x0) / 2)
            bounds.append(max(b.x1 for ln in run for b in ln))
            bounds[0] = min(bounds[0], min(b.x0 for ln in run for b in ln))
            cells = []
            ys = [min(b.y0 for b in run[0])]
            for r, ln in enumerate(run):
                y1 = max(b.y1 for b in ln)
                ys.append(y1)
                per: dict[int, list[_Box]] = {}
                for b in ln:
                    per.setdefault(max(0, min(len(bounds) - 2, _slot(bounds, b.cx))), []).append(b)
                y0 = min(b.y0 for b in ln)
                for c in range(len(bounds) - 1):
                    got = per.get(c, [])
                    cell = OcrCell(r, r + 1, c, c + 1, (int(bounds[c]), int(y0), int(bounds[c + 1]), int(y1)))
                    if got:
                        cell.text = _join_lines(got)
                        cell.score = min(b.score for b in got)
                        if cell.score < MIN_SCORE and _doubtful(cell.text):
                            cell.unsure = True
                    cells.append(cell)
            box = (int(bounds[0]), int(ys[0]), int(bounds[-1]), int(ys[-1]))
            tables.append(OcrTable(box, bounds, ys, cells, ruled=False))
            taken.update(range(i, j))
            i = j
        else:
            i = max(j, i + 1)
    return tables, taken


def _slot(bounds: list[float], x: float) -> int:
    return sum(1 for v in bounds[1:-1] if v < x)


# ---------------------------------------------------------------- one image


def read_image(img) -> Page:
    """Read one RGB image (numpy array): tables and the text lines outside them."""
    import cv2

    if img.shape[0] < MIN_SIDE or img.shape[1] < MIN_SIDE:
        return Page(img.shape[1], img.shape[0])
    _started()
    cv2.setNumThreads(THREADS)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    ink = _binary(gray)  # binarised once per page (again only when turned)
    angle = _skew(ink)
    if 0.1 <= abs(angle) <= MAX_SKEW:
        img = _rotate(img, angle)
        gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        ink = _binary(gray)
    else:
        angle = 0.0
    tables, line_mask = _ruled_tables(ink)
    bw = cv2.bitwise_and(ink, cv2.bitwise_not(line_mask))
    text_h = _text_height(bw, tables)
    for t in tables:
        _fill_cells(img, bw, t, text_h)
    free = [b for b in _detect_outside(img, bw, tables) if b.text]
    # A grid of lines is a table when it holds text (two cells with ideographs or digits), not
    # a frame, a chart or a pattern.
    tables = [t for t in tables if sum(bool(_WORDY.search(c.text)) for c in t.cells) >= 2]
    text_lines = _text_lines(free)
    plain, taken = _unruled_tables(text_lines)
    tables.extend(plain)
    tables.sort(key=lambda t: t.bbox[1])
    for t in tables:
        for cell in t.cells:
            if not cell.text or cell.unsure or _doubtful(cell.text):  # value cells, not labels
                cell.crop = _png_crop(gray, cell.box)
    page = Page(img.shape[1], img.shape[0], tables, angle=angle)
    for k, ln in enumerate(text_lines):
        if k in taken:
            continue
        box = (int(min(b.x0 for b in ln)), int(min(b.y0 for b in ln)), int(max(b.x1 for b in ln)),
               int(max(b.y1 for b in ln)))
        page.lines.append(OcrLine(*box, _join_lines(ln), min(b.score for b in ln), tabular=_is_tabular(ln),
                                  size=_ink_height(bw, box)))
    return page


def _detect_outside(img, bw, tables: list[OcrTable]) -> list[_Box]:
    """Detect and recognise the text outside the ruled tables: the tables painted white, the
    page cut where a table's rows hold no other ink, and each part holding ink read alone
    (the whole page when it has no ruled table)."""
    import numpy as np

    if not tables:
        return _detect(img)
    scale = DET_SIDE / max(img.shape[:2])
    page, ink = img.copy(), bw.copy()
    h = img.shape[0]
    covered = np.zeros(h, dtype=bool)
    for t in tables:
        x0, y0, x1, y1 = t.bbox
        page[y0:y1, x0:x1] = 255
        ink[y0:y1, x0:x1] = 0
        covered[y0:y1] = True
    inked = np.count_nonzero(ink, axis=1) >= 3
    keep = np.flatnonzero(~covered | inked)
    boxes: list[_Box] = []
    for run in np.split(keep, np.flatnonzero(np.diff(keep) > 1) + 1) if len(keep) else []:
        rows = run[inked[run]]
        if not len(rows):
            continue
        y0, y1 = max(0, int(rows[0]) - 16), min(h, int(rows[-1]) + 17)  # the ink, with a margin
        for b in _detect(np.ascontiguousarray(page[y0:y1]), scale):
            boxes.append(_Box(b.x0, b.y0 + y0, b.x1, b.y1 + y0, b.text, b.score))
    return boxes


def _png_crop(gray, box) -> bytes | None:
    """A cell's region (after deskewing) as a small greyscale PNG: at most CROP_HEIGHT x
    CROP_WIDTH pixels and CROP_BYTES bytes, or None."""
    import cv2

    x0, y0, x1, y1 = (int(v) for v in box)
    h, w = gray.shape
    sub = gray[max(0, y0):min(h, y1), max(0, x0):min(w, x1)]
    if sub.size == 0:
        return None
    scale = min(1.0, CROP_HEIGHT / sub.shape[0], CROP_WIDTH / sub.shape[1])
    for _ in range(3):
        size = (max(1, round(sub.shape[1] * scale)), max(1, round(sub.shape[0] * scale)))
        small = cv2.resize(sub, size, interpolation=cv2.INTER_AREA) if scale < 1 else sub
        ok, png = cv2.imencode(".png", small, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        if ok and len(png) <= CROP_BYTES:
            return png.tobytes()
        scale /= 2
    return None


def _ink_height(bw, box) -> float:
    """The height of the ink of a text line: rows holding at least a few ink pixels (the
    detector's boxes are padded unevenly, so their height is not the font size)."""
    import numpy as np

    x0, y0, x1, y1 = box
    sub = bw[max(0, y0):y1, max(0, x0):x1]
    if sub.size == 0:
        return float(y1 - y0)
    rows = np.flatnonzero((sub > 0).sum(axis=1) >= max(2, sub.shape[1] // 200))
    return float(rows[-1] - rows[0] + 1) if len(rows) else float(y1 - y0)


# ---------------------------------------------------------------- an image file


def read(path: Path, data: bytes):
    """Read a PNG/JPEG/TIFF/BMP image file as a one-page report."""
    if not available():
        raise Unreadable(f"这是图片文件，未安装文字识别组件，无法读取。{INSTALL_HINT}", "OCR extra not installed")
    from validator.readers import pdf

    if not wanted():
        raise Unreadable("这是图片文件；已关闭文字识别（--no-ocr），无法读取", "OCR switched off")
    img = open_image(data)
    tables, lines = pdf.ocr_content(1, read_image(img), 1.0, "图片", text=True)
    if not tables:
        raise Unreadable("图片中没有识别出表格", "no table found by OCR")
    return pdf.assemble([(1, float(img.shape[0]), tables, lines)], str(path), "image")


# ---------------------------------------------------------------- pictures in HTML and DOCX

MIN_PICTURE = (200, 80)
"""Pictures smaller than this (width, height in pixels) are icons or logos, never read."""

MAX_PICTURES = 40
"""Most pictures of one HTML page or DOCX recognised (a report has one to three table pictures)."""

TEXT_TABLE_ROWS = 10
"""A document whose text tables already have this many rows of numbers published its tables
as text: its pictures (logos, photos, QR codes) are not recognised."""


def needs_pictures(blocks) -> bool:
    """Whether a document's pictures may hold its tables: OCR is on and installed, and its text
    tables do not already hold the figures (see :data:`TEXT_TABLE_ROWS`)."""
    from validator import values

    rows = sum(1 for b in blocks if b.kind == "row" and sum(values.is_number(c.text) for c in b.cells) >= 3)
    return rows < TEXT_TABLE_ROWS and enabled()


def picture_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from an image header (nothing decoded), or None if it is no image."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except Exception:  # noqa: BLE001 - not an image Pillow knows, or a decompression bomb
        return None


def picture_blocks(pictures: list[tuple[int, bytes]], first_table: int, *, label: str = "图片") -> list[tuple[int, list]]:
    """The table rows OCR reads in the pictures of a document.

    ``pictures``: (where in the document's blocks, image bytes) in document order. The
    pictures are read as the pages of one document, so that a table cut into two pictures
    (one screenshot per printed page) is joined as a table across a page break. Returns
    (where, rows) for each picture holding a table; tables are numbered from
    ``first_table`` on; each cell's :class:`~validator.document.Recognition` names its
    picture (``图片2``).
    """
    import dataclasses

    from validator.readers import pdf

    pages, where = [], {}
    for k, (at, data) in enumerate(pictures[:MAX_PICTURES], start=1):
        size = picture_size(data)
        if size is None or size[0] < MIN_PICTURE[0] or size[1] < MIN_PICTURE[1]:
            continue
        try:
            img = open_image(data, f"{label}{k}")
        except Unreadable:
            continue  # a damaged picture is not a reason to refuse the whole page
        tables, _ = pdf.ocr_content(k, read_image(img), 1.0, f"{label}{k}", text=False)
        if tables:
            pages.append((k, float(img.shape[0]), tables, []))
            where[k] = at
    if not pages:
        return []
    doc = pdf.assemble(pages, label, "image")
    rows: dict[int, list] = {}
    for b in doc.blocks:
        if b.kind != "row":
            continue
        page = b.cells[0].pos.page
        rows.setdefault(page, []).append(dataclasses.replace(b, cells=tuple(
            dataclasses.replace(c, pos=dataclasses.replace(c.pos, page=None, table=c.pos.table + first_table - 1))
            for c in b.cells)))
    return [(where[k], rows[k]) for k in sorted(rows)]


def insert(blocks: list, found: list[tuple[int, list]]) -> list:
    """``blocks`` with each picture's rows inserted where the picture stood."""
    out, at = [], 0
    for where, rows in found:
        out.extend(blocks[at:where])
        out.extend(rows)
        at = max(at, where)
    out.extend(blocks[at:])
    return out
