#!/usr/bin/env python3
"""Deterministic generator of the fa- test corpus (OLA requests with consent forms).

Run: /work/staging/venv/bin/python build.py   (writes fa-*.eml / fa-*.json beside it)
Everything is invented. Fixed seed, fixed dates, normalised zip timestamps,
reportlab invariant mode.
"""
import calendar
import datetime as dt
import hashlib
import io
import json
import math
import os
import random
import re
import zipfile
from dataclasses import dataclass
from email import charset as echarset
from email import encoders
from email import utils as eutils
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

echarset.add_charset('utf-8', echarset.QP, echarset.QP, 'utf-8')

import numpy as np
import pillow_heif
from PIL import Image, ImageDraw, ImageFilter

pillow_heif.register_heif_opener()
import pypdfium2 as pdfium
from reportlab import rl_config

rl_config.invariant = 1
import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Cm, Pt, RGBColor
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rlcanvas
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

OUT = os.path.dirname(os.path.abspath(__file__))
SEED = 20261207
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)

# ---------------------------------------------------------------- fonts
FD = '/usr/share/fonts/truetype/'
pdfmetrics.registerFont(TTFont('DV', FD + 'dejavu/DejaVuSans.ttf'))
pdfmetrics.registerFont(TTFont('DVB', FD + 'dejavu/DejaVuSans-Bold.ttf'))
pdfmetrics.registerFont(TTFont('DVI', FD + 'dejavu/DejaVuSans-Oblique.ttf'))
pdfmetrics.registerFont(TTFont('DVS', FD + 'dejavu/DejaVuSerif.ttf'))
HANDS = {'dkg': FD + 'fifthhorseman/dkg.ttf', 'breip': FD + 'breip/Breip.ttf',
         'femke': FD + 'femkeklaver/femkeklaver.ttf'}
for k, v in HANDS.items():
    pdfmetrics.registerFont(TTFont(k, v))
_cmaps = {k: TTFont('tmp' + k, v).face.charToGlyph for k, v in HANDS.items()}


def hand_font(name, text):
    """handwriting font when it has every glyph, else DejaVu oblique"""
    if name in _cmaps and all(ord(c) in _cmaps[name] or c == ' ' for c in text):
        return name
    return 'DVI'

# ---------------------------------------------------------------- dates


def add_months(d, n):
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def set_year(d, y):
    return dt.date(y, d.month, min(d.day, calendar.monthrange(y, d.month)[1]))


def age_on(dob, on):
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def ordinal(n):
    return str(n) + ('th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th'))


def fdate(d, style):
    if d is None:
        return ''
    if style == 'slash':
        return d.strftime('%d/%m/%Y')
    if style == 'slash2':
        return d.strftime('%d/%m/%y')
    if style == 'dot2':
        return d.strftime('%d.%m.%y')
    if style == 'dot':
        return d.strftime('%d.%m.%Y')
    if style == 'mon':
        return d.strftime('%d-%b-%Y')
    if style == 'ord':
        return f"{ordinal(d.day)} {d.strftime('%B %Y')}"
    if style == 'iso':
        return d.isoformat()
    if style == 'long':
        return f"{d.day} {d.strftime('%B %Y')}"
    if style == 'nozero':
        return f"{d.day}/{d.month}/{d.year}"
    if style == 'dash':
        return d.strftime('%d-%m-%Y')
    raise ValueError(style)

# ---------------------------------------------------------------- names
POOLS = {
    'english': (['James', 'Thomas', 'Daniel', 'Matthew', 'Craig', 'Gareth', 'Paul', 'Neil', 'Stuart', 'Wayne', 'Simon', 'Adrian'],
                ['Claire', 'Joanne', 'Rebecca', 'Hayley', 'Sarah', 'Louise', 'Kerry', 'Emma'],
                ['Whitworth', 'Pemberton', 'Ashdown', 'Fairclough', 'Hollis', 'Brindley', 'Cartwright', 'Latham', 'Haworth', 'Swindells', 'Ibbotson', 'Marsden', 'Lockwood', 'Tranter']),
    'polish': (['Tomasz', 'Piotr', 'Marek', 'Krzysztof'], ['Agnieszka', 'Magdalena', 'Katarzyna', 'Joanna'],
               ['Nowakowski', 'Zielinski', 'Kaczmarek', 'Wojcik']),
    'nigerian': (['Chinedu', 'Oluwaseun', 'Emeka', 'Tunde'], ['Ngozi', 'Folake', 'Adaeze', 'Yetunde'],
                 ['Okafor', 'Adeyemi', 'Nwosu', 'Balogun']),
    'pakistani': (['Imran', 'Tariq', 'Asif', 'Usman'], ['Nadia', 'Saima', 'Farzana', 'Rukhsana'],
                  ['Chaudhry', 'Qureshi', 'Malik', 'Butt']),
    'indian': (['Rajesh', 'Vikram', 'Sanjay', 'Harpreet'], ['Priyanka', 'Deepa', 'Manjit', 'Anjali'],
               ['Patel', 'Sandhu', 'Iyer', 'Gill']),
    'caribbean': (['Delroy', 'Winston', 'Marlon', 'Leroy'], ['Marcia', 'Beverley', 'Janelle', 'Paulette'],
                  ['Campbell', 'Francis', 'Morrison', 'Grant']),
    'chinese': (['Wei', 'Jun', 'Hao', 'Ming'], ['Mei', 'Xiu', 'Li Na', 'Yan'], ['Cheung', 'Lam', 'Zhou', 'Ng']),
    'somali': (['Abdirahman', 'Mohamed', 'Yusuf', 'Hassan'], ['Hodan', 'Amina', 'Faadumo', 'Sahra'],
               ['Warsame', 'Farah', 'Abdi', 'Jama']),
    'irish': (['Ciaran', 'Padraig', 'Declan', 'Eoin'], ['Siobhan', 'Aoife', 'Niamh', 'Roisin'],
              ["O'Driscoll", 'Byrne', 'McCarthy', 'Keane']),
    'welsh': (['Rhys', 'Gethin', 'Iwan', 'Dafydd'], ['Cerys', 'Ffion', 'Sioned', 'Bethan'],
              ['Pritchard', 'Llewellyn', 'Prosser', 'Vaughan']),
    'greek': (['Nikos', 'Giorgos', 'Stavros'], ['Eleni', 'Katerina', 'Sofia'], ['Papadakis', 'Georgiou', 'Christodoulou']),
    'turkish': (['Mehmet', 'Emre', 'Kemal'], ['Ayse', 'Elif', 'Zeynep'], ['Yilmaz', 'Demir', 'Aydin']),
    'romanian': (['Andrei', 'Mihai', 'Florin'], ['Ioana', 'Elena', 'Cristina'], ['Popescu', 'Dumitru', 'Stan']),
    'bangladeshi': (['Shahid', 'Mizanur', 'Anwar'], ['Shirin', 'Nasima', 'Rehana'], ['Miah', 'Begum', 'Uddin']),
    'ghanaian': (['Kwame', 'Kofi', 'Yaw'], ['Akosua', 'Abena', 'Efua'], ['Mensah', 'Asante', 'Owusu']),
    'portuguese': (['João', 'Rui', 'Tiago'], ['Inês', 'Mariana', 'Sónia'], ['Ferreira', 'Gonçalves', 'Teixeira']),
    'scottish': (['Callum', 'Euan', 'Fraser'], ['Morag', 'Eilidh', 'Kirsty'], ['MacLeod', 'Robertson', 'Drummond']),
    'vietnamese': (['Minh', 'Tuan', 'Duc'], ['Lan', 'Thu', 'Hoa'], ['Nguyen', 'Tran', 'Pham']),
}
KIDS_M = ['Oliver', 'Jayden', 'Musa', 'Leo', 'Kai', 'Reuben', 'Ibrahim', 'Alfie', 'Theo', 'Zain', 'Callum', 'Finley', 'Kofi', 'Ethan', 'Aarav']
KIDS_F = ['Amelia', 'Isla', 'Zara', 'Maisie', 'Aaliyah', 'Freya', 'Nia', 'Poppy', 'Lily', 'Ava', 'Mariam', 'Esme', 'Chloe', 'Ruby', 'Hana']
TOWNS = [('Northwold', 'NW'), ('Kestrel Vale', 'KV'), ('Harlow Moor', 'HM'), ('Brackenford', 'BF'),
         ('Calder Rise', 'CR'), ('Wyvern Cross', 'WX'), ('Elmbury', 'EB'), ('Ashby Fen', 'AF')]
STREETS = ['Larkspur Road', 'Mill Lane', 'Chantry Close', 'Beacon Street', 'Orchard Way', 'Tennyson Avenue',
           'Hawthorn Drive', 'Quarry Hill', 'Station Road', 'Foundry Walk', 'Kingfisher Court', 'Priory Gardens']
POB = ['Elmbury', 'Lagos', 'Lahore', 'Kingston, Jamaica', 'Gdansk', 'Cork', 'Swansea', 'Hong Kong', 'Mogadishu',
       'Leicester', 'Birmingham', 'Athens', 'Izmir', 'Bucharest', 'Sylhet', 'Accra', 'Porto', 'Inverness', 'Hanoi', 'Northwold']

# ---------------------------------------------------------------- people


@dataclass
class Person:
    title: str
    fore: str
    sur: str
    dob: dt.date
    rel: str
    section: str  # applicant / household / elsewhere
    prev: str = ''
    pob: str = ''
    signed: bool = False
    sdate: dt.date = None
    in_sig: bool = True       # appears in the signature table
    sig_style: str = 'squiggle'
    messy: bool = False       # date written very messily (scan)
    parent_sig: bool = False  # under-16 row signed by a parent
    note_dob: dt.date = None  # dob the covering note gives, when different
    gender: str = 'f'

    @property
    def name(self):
        return ' '.join(x for x in [self.title, self.fore, self.sur] if x)

    @property
    def lname(self):
        """the fullest name the form and mail give: titles are written for applicants only"""
        return self.name if self.section == 'applicant' else self.plain

    @property
    def plain(self):
        return f'{self.fore} {self.sur}'


class Ctx:
    pass


def rng_for(key):
    return random.Random(f'{SEED}:{key}')


def mk_adult(r, pool, g, sur=None, title=None, age=(28, 55), on=None):
    m, f, s = POOLS[pool]
    fore = r.choice(m if g == 'm' else f)
    if r.random() < 0.35:
        fore += ' ' + r.choice(m if g == 'm' else f)
        fore = ' '.join(dict.fromkeys(fore.split()))
    sur = sur or r.choice(s)
    if title is None:
        title = 'Mr' if g == 'm' else r.choice(['Mrs', 'Ms', 'Miss', 'Mrs'])
    dob = on - dt.timedelta(days=int(r.uniform(age[0], age[1]) * 365.25))
    return Person(title, fore, sur, dob, '', '', gender=g, pob=r.choice(POB))


def mk_child(r, sur, age, on, g=None):
    g = g or r.choice('mf')
    fore = r.choice(KIDS_M if g == 'm' else KIDS_F)
    dob = on - dt.timedelta(days=int(age * 365.25 + r.randint(10, 300)))
    return Person('', fore, sur, dob, 'son' if g == 'm' else 'daughter', 'household', gender=g)


def family(r, on, apps, extras, pool=None, pool2=None):
    """apps: f m mf ff mm mf_diff ; extras: tokens"""
    pool = pool or r.choice(list(POOLS))
    pool2 = pool2 or pool
    A = []
    if apps in ('f', 'm'):
        A.append(mk_adult(r, pool, apps, on=on))
    elif apps == 'mf':
        a = mk_adult(r, pool, 'm', on=on)
        b = mk_adult(r, pool, 'f', sur=a.sur, title='Mrs', on=on)
        b.prev = 'née ' + r.choice(POOLS[pool][2] + ['Dunmore'])
        if b.prev == 'née ' + a.sur:
            b.prev = 'née Dunmore'
        A += [a, b]
    elif apps == 'mf_diff':
        A += [mk_adult(r, pool, 'f', on=on), mk_adult(r, pool2, 'm', on=on)]
        while A[1].sur == A[0].sur:
            A[1].sur = r.choice(POOLS[pool2][2] + ['Kingsley'])
    elif apps == 'ff':
        A += [mk_adult(r, pool, 'f', title='Ms', on=on), mk_adult(r, pool2, 'f', title='Ms', on=on)]
        while A[1].sur == A[0].sur or A[1].fore == A[0].fore:
            A[1] = mk_adult(r, pool2, 'f', title='Ms', on=on)
    elif apps == 'mm':
        A += [mk_adult(r, pool, 'm', on=on), mk_adult(r, pool2, 'm', on=on)]
        while A[1].sur == A[0].sur or A[1].fore == A[0].fore:
            A[1] = mk_adult(r, pool2, 'm', on=on)
    for i, a in enumerate(A):
        a.section = 'applicant'
        a.rel = 'applicant' if i == 0 else ('partner' if apps in ('ff', 'mm', 'mf_diff') else ('husband' if a.gender == 'm' else 'wife'))
    if apps == 'mf':
        A[0].rel = 'applicant'
        A[1].rel = 'wife'
    H, E = [], []
    sur = A[0].sur
    used = set(a.fore.split()[0] for a in A)

    def uniq(p):
        while p.fore in used:
            p.fore = r.choice(KIDS_M if p.gender == 'm' else KIDS_F)
        used.add(p.fore)
        return p
    for t in extras:
        if t == 'c':
            H.append(uniq(mk_child(r, sur, r.randint(2, 13), on)))
        elif t == 'ac':
            p = uniq(mk_child(r, sur, r.randint(18, 25), on))
            H.append(p)
        elif t == 'c17':
            H.append(uniq(mk_child(r, sur, 17, on)))
        elif t == 's16':      # 16 on the mail date (birthday that day)
            p = uniq(mk_child(r, sur, 16, on))
            p.dob = dt.date(on.year - 16, on.month, on.day)
            H.append(p)
        elif t == 'f15':      # 15, turns 16 a week after the mail
            p = uniq(mk_child(r, sur, 15, on))
            d = on + dt.timedelta(days=7)
            p.dob = dt.date(d.year - 16, d.month, d.day)
            H.append(p)
        elif t in ('ae', 'ce'):
            p = uniq(mk_child(r, sur if r.random() < 0.7 else r.choice(POOLS[pool][2]), r.randint(19, 30) if t == 'ae' else r.randint(6, 14), on))
            p.section = 'elsewhere'
            E.append(p)
        elif t == 'lod':
            lp = r.choice(list(POOLS))
            p = mk_adult(r, lp, r.choice('mf'), on=on, age=(22, 40))
            p.rel = 'lodger'
            p.section = 'household'
            H.append(p)
        elif t in ('gm', 'gf'):
            p = mk_adult(r, pool, 'f' if t == 'gm' else 'm', on=on, age=(68, 84),
                         title='Mrs' if t == 'gm' else 'Mr')
            if t == 'gf' or r.random() < 0.6:
                p.sur = A[0].sur
            p.rel = ('mother' if t == 'gm' else 'father') + (' of applicant' if len(A) > 1 else '')
            p.section = 'household'
            H.append(p)
        elif t == 'partner':   # partner in household who is not an applicant
            p = mk_adult(r, r.choice(list(POOLS)), 'm' if A[0].gender == 'f' else 'f', on=on)
            p.rel = 'partner'
            p.section = 'household'
            H.append(p)
        elif t == 'nephew':
            p = uniq(mk_child(r, r.choice(POOLS[pool][2]), r.randint(18, 23), on, g='m'))
            p.rel = 'nephew'
            H.append(p)
        elif t == 'sgdaughter':  # step-daughter 16+ at home
            p = uniq(mk_child(r, r.choice(POOLS[pool2][2]), r.randint(16, 19), on, g='f'))
            p.rel = 'step-daughter'
            H.append(p)
    # plausible ages: parents at least 20 years older than their oldest child,
    # grandparents at least 20 years older than the applicant
    kids = [age_on(p.dob, on) for p in H + E if p.rel in ('son', 'daughter', 'step-daughter')]
    if kids:
        for a in A:
            if age_on(a.dob, on) < max(kids) + 20:
                a.dob = set_year(a.dob, on.year - (max(kids) + 20 + r.randint(1, 9)))
    for p in H:
        if p.rel.startswith(('mother', 'father')) and age_on(p.dob, on) < age_on(A[0].dob, on) + 20:
            p.dob = set_year(p.dob, A[0].dob.year - r.randint(21, 30))
    for p in H + E:
        if not p.title and age_on(p.dob, on) >= 18 and r.random() < 0.4:
            p.title = 'Mr' if p.gender == 'm' else 'Miss'
    return A, H, E

# ---------------------------------------------------------------- requesters
# (display name, address, org, secure, kind)
REQ = {
    'northwold_box': ('Northwold Fostering Team', 'fostering@northwold.gov.uk', 'Northwold County Council', True, 'la_box'),
    'kestrel_sw': ('Alison Threadgold', 'alison.threadgold@kestrelvale.gov.uk', 'Kestrel Vale Borough Council', True, 'la'),
    'harlow_sw': ('Yusuf Demirci', 'yusuf.demirci@harlowmoor.gov.uk', 'Harlow Moor Metropolitan Borough Council', True, 'la'),
    'bracken_box': ('Brackenford Adoption', 'adoption.assessments@brackenford.gov.uk', 'Brackenford City Council', True, 'la_box'),
    'calder_sw': ('Ruth Penhaligon', 'r.penhaligon@calderrise.gov.uk', 'Calder Rise Council', True, 'la'),
    'wyvern_sw': ('Obinna Eze', 'obinna.eze@wyverncross.gov.uk', 'Wyvern Cross Council', True, 'la'),
    'raa_box': ('Adopt Western Shires', 'checks@adoptwesternshires.gov.uk', 'Adopt Western Shires (regional adoption agency)', True, 'la_box'),
    'ashby_sw': ('Gemma Rowntree', 'gemma.rowntree@ashbyfen.gov.uk', 'Ashby Fen District Council', True, 'la'),
    'brightpath_info': ('Brightpath Fostering', 'info@brightpathfostering.co.uk', 'Brightpath Fostering Ltd', False, 'agency_box'),
    'willow_sw': ('Hannah Ogunleye', 'h.ogunleye@willowmerefostering.co.uk', 'Willowmere Fostering', True, 'agency'),
    'oakleaf_admin': ('Oakleaf Adoption Admin', 'admin@oakleaf-adoption.org.uk', 'Oakleaf Adoption', False, 'agency_box'),
    'sunrise_sw': ('Marek Dabrowski', 'marek.dabrowski@sunrisefp.org.uk', 'Sunrise Family Placements', True, 'agency'),
    'kindred_info': ('Kindred Hearth Adoption', 'hello@kindredhearth.org.uk', 'Kindred Hearth Adoption', False, 'agency_box'),
    'bramble_rec': ('Bramble Lane Recruitment', 'recruitment@bramblelanefostering.com', 'Bramble Lane Fostering', False, 'agency_box'),
    'bramble_sw': ('Leona Fitzgerald', 'leona.fitzgerald@bramblelanefostering.com', 'Bramble Lane Fostering', True, 'agency'),
    'isw_gmail': ('Carol Ainsworth-Bell', 'carol.ainsworthbell.isw@gmail.com', 'Independent Social Worker', False, 'webmail'),
    'isw_outlook': ('T. Mwangi (ISW)', 'tmwangi.socialwork@outlook.com', 'Independent Social Worker', False, 'webmail'),
    'isw_btinternet': ('Geraint Bowen', 'geraint.bowen@btinternet.com', 'Independent Social Worker', False, 'webmail'),
    'isw_yahoo': ('Parveen Akhtar', 'parveen_akhtar_sw@yahoo.co.uk', 'Independent Social Worker', False, 'webmail'),
    'northwold_sw': ('Desmond Achterberg', 'desmond.achterberg@northwold.gov.uk', 'Northwold County Council', True, 'la'),
}
PHONES = ['01632 960%03d', '07700 900%03d', '0113 496 0%03d', '020 7946 0%03d', '0114 496 0%03d']
TRUST_STAFF = ('Karen Pike', 'karen.pike@childrenstrust.example')


def phone(r):
    return r.choice(PHONES) % r.randint(0, 999)

# ---------------------------------------------------------------- consent label


def judge(c):
    mail = c.date.date()
    people = []
    inc, exp = False, False
    valid = []
    for p in c.A + c.H + c.E:
        o16 = age_on(p.dob, mail) >= 16
        must = p.section == 'applicant' or (p.section == 'household' and o16)
        signed = bool(p.signed and p.in_sig)
        sd = p.sdate if signed else None
        people.append({'name': form_name(c, p), 'section': 'applicant' if p.section == 'applicant' else p.section,
                       'dob': (c.form_dob.get(id(p), p.dob)).isoformat() if p.dob else None,
                       'relation': p.rel, 'over_16': o16, 'must_sign': must, 'signed': signed,
                       'signed_on': sd.isoformat() if sd else None})
        if must:
            if not signed or sd is None or sd > mail:
                inc = True
            else:
                valid.append(sd)
                if add_months(sd, 3) < mail:
                    exp = True
    consent = 'expired' if exp else ('incomplete' if inc else 'ok')
    return people, consent, (min(valid).isoformat() if valid else None)


def form_name(c, p):
    st = c.style.get('names', 'normal')
    if st == 'caps':
        return ' '.join(x for x in [p.title if p.section == 'applicant' else '', p.fore, p.sur.upper()] if x)
    return p.lname

# ---------------------------------------------------------------- squiggles


def squiggle_pts(seed, w, h, n=None):
    r = rng_for('sq' + seed)
    n = n or r.randint(5, 9)
    pts = []
    x = 0.05 * w
    for i in range(n * 8):
        t = i / 8.0
        x = 0.05 * w + (0.9 * w) * i / (n * 8 - 1) + 0.08 * w * math.sin(t * 2.1 + r.random())
        y = h * (0.5 + 0.32 * math.sin(t * 3.3 + r.random() * 0.6) * (0.6 + 0.4 * r.random()))
        pts.append((x, y))
    return pts


def squiggle_png(seed, w=360, h=110, ink=(20, 30, 110)):
    im = Image.new('RGBA', (w, h), (255, 255, 255, 0))
    d = ImageDraw.Draw(im)
    pts = squiggle_pts(seed, w, h)
    d.line(pts, fill=ink + (255,), width=4, joint='curve')
    d.line([(pts[2][0], h * 0.8), (pts[-3][0], h * 0.75)], fill=ink + (255,), width=3)
    b = io.BytesIO()
    im.save(b, 'PNG')
    return b.getvalue()


class Squiggle(Flowable):
    def __init__(self, seed, w=42 * mm, h=9 * mm):
        super().__init__()
        self.seed, self.width, self.height = seed, w, h

    def draw(self):
        pts = squiggle_pts(self.seed, self.width, self.height)
        c = self.canv
        c.setStrokeColorRGB(0.08, 0.12, 0.45)
        c.setLineWidth(1.1)
        p = c.beginPath()
        p.moveTo(*pts[0])
        for i in range(1, len(pts) - 2, 3):
            p.curveTo(*pts[i], *pts[i + 1], *pts[i + 2])
        c.drawPath(p, stroke=1, fill=0)


class CircledYesNo(Flowable):
    """a question with 'Yes / No' printed and the answer circled by hand"""

    def __init__(self, q, answer, fs):
        super().__init__()
        self.q, self.answer, self.fs = q, answer, fs
        self.width, self.height = 170 * mm, 6 * mm

    def draw(self):
        c = self.canv
        c.setFont('DV', self.fs)
        c.drawString(0, 4, self.q)
        x = pdfmetrics.stringWidth(self.q, 'DV', self.fs) + 12
        c.drawString(x, 4, 'Yes')
        x2 = x + 30
        c.drawString(x2, 4, 'No')
        cx = x if self.answer == 'Yes' else x2
        w = pdfmetrics.stringWidth(self.answer, 'DV', self.fs)
        c.setStrokeColorRGB(0.1, 0.15, 0.5)
        c.setLineWidth(1)
        c.ellipse(cx - 4, 0, cx + w + 4, 4 + self.fs + 2, stroke=1, fill=0)


class MessyDate(Flowable):
    """a date written very messily: every glyph jittered, rotated, overlapping"""

    def __init__(self, text, font='dkg', size=14, seed='m'):
        super().__init__()
        self.text, self.font, self.size, self.seed = text, font, size, seed
        self.width, self.height = 40 * mm, 8 * mm

    def draw(self):
        r = rng_for('messy' + self.seed)
        c = self.canv
        x = 1
        c.setFillColorRGB(0.1, 0.1, 0.35)
        for ch in self.text:
            c.saveState()
            c.translate(x, 3 + r.uniform(-1.6, 2.0))
            c.rotate(r.uniform(-11, 11))
            sz = self.size * r.uniform(0.85, 1.3)
            c.setFont(self.font, sz)
            c.drawString(0, 0, ch)
            c.restoreState()
            x += pdfmetrics.stringWidth(ch, self.font, self.size) * r.uniform(0.9, 1.1)


# ---------------------------------------------------------------- form text pieces
DECL = ("I/We consent to {org} making enquiries of other local authorities, including children's services, "
        "in connection with my/our application to be assessed as {role}. I/We understand that information held "
        "about me/us and members of my/our household may be shared with the agency for the purpose of the assessment "
        "and that this consent is valid for the period of the assessment. Everyone in the household aged 16 or over "
        "must sign below.")


def prev_addresses(c):
    r = rng_for('addr' + c.id)
    out = []
    y = c.date.year
    for i in range(r.randint(1, 3)):
        t, pc = r.choice(TOWNS)
        y2 = y - r.randint(2, 4)
        out.append((f'{r.randint(1, 140)} {r.choice(STREETS)}, {t} {pc}{r.randint(1, 9)} {r.randint(1, 9)}{r.choice("ABDEFGHJLNPQRSTUWXYZ")}{r.choice("ABDEFGHJLNPQRSTUWXYZ")}',
                    f'{r.choice(["03", "06", "09", "11"])}/{y2}', f'{r.choice(["02", "05", "08", "10"])}/{y}'))
        y = y2
    return out


def disp_name_parts(c, p):
    """(surname, forenames) as the form writes them"""
    st = c.style.get('names', 'normal')
    return (p.sur.upper() if st == 'caps' else p.sur), p.fore


def row_name(c, p):
    st = c.style.get('names', 'normal')
    if st == 'caps':
        return f'{p.sur.upper()}, {p.fore}'
    if st == 'comma':
        return f'{p.sur}, {p.fore}'
    return ' '.join(x for x in [p.title if p.section == 'applicant' else '', p.fore, p.sur] if x)


def sig_date_text(c, p):
    return fdate(p.sdate, c.style.get('sdate', 'slash')) if (p.signed and p.sdate) else ''


def dob_text(c, p):
    return fdate(c.form_dob.get(id(p), p.dob), c.style.get('dob', 'slash'))


def signers(c):
    """rows of the signature table: must-sign people in the table (+ parent rows)"""
    mail = c.date.date()
    rows = []
    for p in c.A + c.H:
        if not p.in_sig:
            continue
        if p.section == 'applicant' or age_on(p.dob, mail) >= 16 or p.parent_sig:
            rows.append(p)
    return rows


def sig_label(c, p):
    n = row_name(c, p) if c.style.get('names') != 'caps' else f'{p.fore} {p.sur.upper()}'
    if p.parent_sig:
        n += ' (under 16 - signed by parent)'
    return n


def prev_fostered_text(c):
    if c.prev_trust:
        return 'Yes', 'Approved foster carer with Elmbury City Council (now Elmbury Children\'s Trust) 2014-2019'
    if c.prev_else:
        return 'Yes', c.prev_else
    return 'No', ''

# ---------------------------------------------------------------- DOCX
W14 = 'http://schemas.microsoft.com/office/word/2010/wordml'
WNS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
NSD = f'xmlns:w="{WNS}" xmlns:w14="{W14}"'


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def sdt_text(p, value, tag, placeholder='Click or tap here to enter text.'):
    ph = '<w:showingPlcHdr/>' if not value else ''
    txt = value or placeholder
    rpr = '<w:rPr><w:color w:val="808080"/></w:rPr>' if not value else ''
    p._p.append(parse_xml(f'<w:sdt {NSD}><w:sdtPr><w:alias w:val="{tag}"/><w:tag w:val="{tag}"/>{ph}</w:sdtPr>'
                          f'<w:sdtContent><w:r>{rpr}<w:t xml:space="preserve">{esc(txt)}</w:t></w:r></w:sdtContent></w:sdt>'))


def sdt_date(p, d, shown, tag):
    if d is None:
        p._p.append(parse_xml(f'<w:sdt {NSD}><w:sdtPr><w:alias w:val="{tag}"/><w:tag w:val="{tag}"/><w:showingPlcHdr/>'
                              f'<w:date><w:dateFormat w:val="dd/MM/yyyy"/><w:lid w:val="en-GB"/><w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date></w:sdtPr>'
                              f'<w:sdtContent><w:r><w:rPr><w:color w:val="808080"/></w:rPr><w:t>Click or tap to enter a date.</w:t></w:r></w:sdtContent></w:sdt>'))
        return
    p._p.append(parse_xml(f'<w:sdt {NSD}><w:sdtPr><w:alias w:val="{tag}"/><w:tag w:val="{tag}"/>'
                          f'<w:date w:fullDate="{d.isoformat()}T00:00:00Z"><w:dateFormat w:val="dd/MM/yyyy"/><w:lid w:val="en-GB"/><w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date></w:sdtPr>'
                          f'<w:sdtContent><w:r><w:t>{esc(shown)}</w:t></w:r></w:sdtContent></w:sdt>'))


def sdt_check(p, checked, tag):
    ch = '☒' if checked else '☐'
    p._p.append(parse_xml(f'<w:sdt {NSD}><w:sdtPr><w:tag w:val="{tag}"/><w14:checkbox><w14:checked w14:val="{1 if checked else 0}"/>'
                          f'<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
                          f'<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic" w:hint="eastAsia"/></w:rPr><w:t>{ch}</w:t></w:r></w:sdtContent></w:sdt>'))


_ff = [0]


def legacy_check(p, checked):
    _ff[0] += 1
    chk = '<w:checked/>' if checked else ''
    for x in [f'<w:r {NSD}><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check{_ff[0]}"/><w:enabled/><w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/>{chk}</w:checkBox></w:ffData></w:fldChar></w:r>',
              f'<w:r {NSD}><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>',
              f'<w:r {NSD}><w:fldChar w:fldCharType="separate"/></w:r>', f'<w:r {NSD}><w:fldChar w:fldCharType="end"/></w:r>']:
        p._p.append(parse_xml(x))


def legacy_text(p, value):
    _ff[0] += 1
    v = value if value else '\u2002' * 5
    for x in [f'<w:r {NSD}><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text{_ff[0]}"/><w:enabled/><w:calcOnExit w:val="0"/><w:textInput/></w:ffData></w:fldChar></w:r>',
              f'<w:r {NSD}><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>',
              f'<w:r {NSD}><w:fldChar w:fldCharType="separate"/></w:r>',
              f'<w:r {NSD}><w:t xml:space="preserve">{esc(v)}</w:t></w:r>', f'<w:r {NSD}><w:fldChar w:fldCharType="end"/></w:r>']:
        p._p.append(parse_xml(x))


def textbox(doc, lines, wpt=460, hpt=95):
    p = doc.add_paragraph()
    body = ''.join(f'<w:p><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">{esc(l)}</w:t></w:r></w:p>' for l in lines)
    p._p.append(parse_xml(
        f'<w:r {NSD} xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"><w:pict>'
        f'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f'<v:shape id="TextBox1" o:spid="_x0000_s1026" type="#_x0000_t202" style="width:{wpt}pt;height:{hpt}pt" strokeweight="1pt">'
        f'<v:textbox><w:txbxContent>{body}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'))


def cell_text(cell, text, bold=False, size=9, font=None):
    cell.text = ''
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    if font:
        run.font.name = font
    return p


def put(cell, value, c, tag, kind='text'):
    """fill a cell with a value, as the form's widget style says"""
    w = c.style.get('widgets', 'plain')
    cell.text = ''
    p = cell.paragraphs[0]
    if w == 'sdt':
        if kind == 'date':
            sdt_date(p, value[0], value[1], tag)
        else:
            sdt_text(p, value, tag)
    elif w == 'legacy':
        legacy_text(p, value[1] if kind == 'date' else value)
    else:
        r = p.add_run(value[1] if kind == 'date' else value)
        r.font.size = Pt(9)


def docx_sig(cell, c, p):
    cell.text = ''
    para = cell.paragraphs[0]
    if not p.signed:
        return
    st = p.sig_style
    p = getattr(p, 'sig_by', None) or p
    if st == 'image':
        para.add_run().add_picture(io.BytesIO(squiggle_png(c.id + p.fore)), width=Cm(3.2))
    else:
        txt = f'{p.fore.split()[0]} {p.sur}' if st != 'initials' else ''.join(x[0] for x in (p.fore + ' ' + p.sur).split()) + '.'
        run = para.add_run(txt)
        run.font.name = c.style.get('sigfont', 'Segoe Script')
        run.font.size = Pt(13)
        run.italic = True
        run.font.color.rgb = RGBColor(0x1F, 0x2A, 0x6E)


def set_col_widths(t, widths):
    for row in t.rows:
        for i, w in enumerate(widths):
            if i < len(row.cells):
                row.cells[i].width = Cm(w)


def build_docx(c):
    doc = docx.Document()
    cp = doc.core_properties
    cp.author = c.org_short + ' Fostering'
    cp.title = c.form_title
    cp.created = cp.modified = dt.datetime(2026, 1, 5, 9, 0, 0)
    cp.last_modified_by = 'admin'
    cp.revision = 3
    st = doc.styles['Normal']
    st.font.name = c.style.get('font', 'Arial')
    st.font.size = Pt(10)
    sec = doc.sections[0]
    sec.header.paragraphs[0].text = f'{c.org}  |  {c.service}'
    sec.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sec.footer.paragraphs[0].text = f'{c.form_title}  v{c.style.get("ver", "3.1")}   OFFICIAL - SENSITIVE when complete'
    h = doc.add_paragraph()
    rr = h.add_run(c.form_title.upper() if c.style.get('caps_title') else c.form_title)
    rr.bold = True
    rr.font.size = Pt(15)
    doc.add_paragraph(c.intro)
    layout = c.style.get('layout', 'side')
    A = c.A
    fields = [('Title', lambda p: p.title), ('Surname', lambda p: disp_name_parts(c, p)[0]),
              ('Forename(s)', lambda p: p.fore), ('Previous names / maiden name', lambda p: p.prev or 'None'),
              ('Date of birth', lambda p: (c.form_dob.get(id(p), p.dob), dob_text(c, p))),
              ('Place of birth', lambda p: p.pob)]
    if layout == 'side':
        t = doc.add_table(rows=1, cols=1 + len(A))
        t.style = 'Table Grid'
        cell_text(t.rows[0].cells[0], 'Details', True)
        for i, a in enumerate(A):
            cell_text(t.rows[0].cells[i + 1], f'Applicant {i + 1}', True)
        for lab, f in fields:
            row = t.add_row()
            cell_text(row.cells[0], lab, True)
            for i, a in enumerate(A):
                put(row.cells[i + 1], f(a), c, f'{lab}{i}', 'date' if lab == 'Date of birth' else 'text')
        row = t.add_row()
        cell_text(row.cells[0], 'Current address', True)
        if len(A) == 2:
            m = row.cells[1].merge(row.cells[2])
            cell_text(m, c.address)
        else:
            cell_text(row.cells[1], c.address)
        set_col_widths(t, [4.5] + [6] * len(A))
    elif layout == 'stacked':
        for i, a in enumerate(A):
            doc.add_paragraph().add_run(f'Section {i + 1}: Applicant {i + 1}').bold = True
            t = doc.add_table(rows=0, cols=2)
            t.style = 'Table Grid'
            for lab, f in fields + [('Current address', lambda p: c.address)]:
                row = t.add_row()
                cell_text(row.cells[0], lab, True)
                put(row.cells[1], f(a), c, f'{lab}{i}', 'date' if lab == 'Date of birth' else 'text')
    elif layout == 'nested':
        outer = doc.add_table(rows=2, cols=len(A))
        outer.style = 'Table Grid'
        for i, a in enumerate(A):
            cell_text(outer.rows[0].cells[i], f'APPLICANT {i + 1}' if len(A) > 1 else 'APPLICANT', True)
            oc = outer.rows[1].cells[i]
            inner = oc.add_table(rows=0, cols=2)
            inner.style = 'Table Grid'
            for lab, f in fields:
                row = inner.add_row()
                cell_text(row.cells[0], lab, True, 8)
                put(row.cells[1], f(a), c, f'{lab}{i}', 'date' if lab == 'Date of birth' else 'text')
        doc.add_paragraph(f'Address: {c.address}')
    # previously fostered
    yn, detail = prev_fostered_text(c)
    p = doc.add_paragraph('Have you, or anyone in your household, previously fostered, adopted or applied to do so?  ')
    w = c.style.get('widgets', 'plain')
    for lab in ('Yes', 'No'):
        p.add_run(f' {lab} ')
        if w == 'sdt':
            sdt_check(p, yn == lab, 'pf' + lab)
        elif w == 'legacy':
            legacy_check(p, yn == lab)
        else:
            p.add_run(('☒' if yn == lab else '☐') if c.style.get('boxes', 'u') == 'u' else ('[x]' if yn == lab else '[ ]'))
    if detail:
        doc.add_paragraph('If yes, give details: ' + detail)
    # household
    hh = c.H
    t = doc.add_table(rows=2, cols=4)
    t.style = 'Table Grid'
    m = t.rows[0].cells[0].merge(t.rows[0].cells[3])
    cell_text(m, 'Other members of the household (everyone who lives at the address, including children and lodgers)', True)
    for i, lab in enumerate(['Full name', 'Date of birth', 'Relationship to applicant(s)', 'Aged 16+?']):
        cell_text(t.rows[1].cells[i], lab, True)
    for x in hh:
        row = t.add_row()
        cell_text(row.cells[0], row_name(c, x))
        put(row.cells[1], (c.form_dob.get(id(x), x.dob), dob_text(c, x)), c, 'hdob', 'date')
        cell_text(row.cells[2], x.rel)
        o = age_on(x.dob, c.date.date()) >= 16 if c.style.get('age_col_truth', True) else age_on(x.dob, c.form_made) >= 16
        rp = row.cells[3].paragraphs[0]
        if w == 'sdt':
            rp.add_run('Yes ')
            sdt_check(rp, o, 'o16')
            rp.add_run(' No ')
            sdt_check(rp, not o, 'u16')
        else:
            rp.add_run('Yes' if o else 'No')
    for _ in range(c.style.get('blank_rows', 1)):
        t.add_row()
    doc.add_paragraph()
    # elsewhere
    t = doc.add_table(rows=1, cols=3)
    t.style = 'Table Grid'
    for i, lab in enumerate(['Children of the applicant(s) NOT living in the household (including adult children): name', 'Date of birth', 'Where they live']):
        cell_text(t.rows[0].cells[i], lab, True)
    for x in c.E:
        row = t.add_row()
        cell_text(row.cells[0], row_name(c, x))
        cell_text(row.cells[1], dob_text(c, x))
        cell_text(row.cells[2], x.elsewhere_where)
    if not c.E:
        row = t.add_row()
        cell_text(row.cells[0], 'N/A')
    doc.add_paragraph()
    # previous addresses
    doc.add_paragraph().add_run('Previous addresses in the last 10 years').bold = True
    t = doc.add_table(rows=1, cols=3)
    t.style = 'Table Grid'
    for i, lab in enumerate(['Address', 'From', 'To']):
        cell_text(t.rows[0].cells[i], lab, True)
    for a, f, to in c.prev_addr:
        row = t.add_row()
        for i, v in enumerate([a, f, to]):
            cell_text(row.cells[i], v)
    if c.style.get('pagebreak'):
        doc.add_page_break()
    # declaration
    doc.add_paragraph().add_run('Declaration').bold = True
    if c.style.get('textbox'):
        textbox(doc, [c.decl, 'Please sign and date in the table below. Unsigned or undated forms will be returned.'])
    else:
        doc.add_paragraph(c.decl)
    S = signers(c)
    if c.style.get('sig_orient', 'rows') == 'rows':
        t = doc.add_table(rows=1, cols=3)
        t.style = 'Table Grid'
        for i, lab in enumerate(['Full name (print)', 'Signature', 'Date']):
            cell_text(t.rows[0].cells[i], lab, True)
        for x in S:
            row = t.add_row()
            cell_text(row.cells[0], sig_label(c, x))
            docx_sig(row.cells[1], c, x)
            put(row.cells[2], (x.sdate if x.signed else None, sig_date_text(c, x)), c, 'sigdate', 'date')
        for _ in range(c.style.get('blank_sig_rows', 1)):
            t.add_row()
        set_col_widths(t, [6.5, 5.5, 3.5])
    else:
        t = doc.add_table(rows=3, cols=1 + len(S))
        t.style = 'Table Grid'
        for i, lab in enumerate(['Name', 'Signature', 'Date']):
            cell_text(t.rows[i].cells[0], lab, True)
        for j, x in enumerate(S):
            cell_text(t.rows[0].cells[j + 1], sig_label(c, x), size=8)
            docx_sig(t.rows[1].cells[j + 1], c, x)
            put(t.rows[2].cells[j + 1], (x.sdate if x.signed else None, sig_date_text(c, x)), c, 'sigdate', 'date')
    doc.add_paragraph()
    doc.add_paragraph(f'Please return the completed form to: {c.org}, {c.service}. Form ref {c.form_ref}')
    b = io.BytesIO()
    doc.save(b)
    return normalize_zip(b.getvalue())


def normalize_zip(data, first=None):
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    names = zin.namelist()
    if first and first in names:
        names.remove(first)
        names.insert(0, first)
    with zipfile.ZipFile(out, 'w') as z:
        for n in names:
            info = zipfile.ZipInfo(n, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if n == 'mimetype' else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, zin.read(n))
    return out.getvalue()

# ---------------------------------------------------------------- PDF (platypus)


def pst(size=8.5, font='DV', lead=None):
    return ParagraphStyle('x', fontName=font, fontSize=size, leading=lead or size * 1.25)


def P_(t, size=8.5, font='DV'):
    return Paragraph(esc(t), pst(size, font))


def build_pdf_flow(c, hand=None, compact=False):
    """ruled or alignment-only form; hand = handwriting font name for filled-in values"""
    ruled = c.style.get('ruled', True)
    fs = 7.5 if compact else 8.5

    def V(t, big=False):  # a filled-in value
        if hand and t:
            f = hand_font(hand, t)
            return Paragraph(esc(t), ParagraphStyle('h', fontName=f, fontSize=fs + 3, leading=fs + 4.5, textColor=colors.HexColor('#1b2a6b')))
        return P_(t, fs)

    def L(t):
        return Paragraph(esc(t), pst(fs, 'DVB'))
    grid = [('GRID', (0, 0), (-1, -1), 0.6, colors.black)] if ruled else []
    base = [('VALIGN', (0, 0), (-1, -1), 'MIDDLE'), ('TOPPADDING', (0, 0), (-1, -1), 2 if compact else 3),
            ('BOTTOMPADDING', (0, 0), (-1, -1), 2 if compact else 3)]
    story = [Paragraph(esc(c.form_title), pst(13 if compact else 15, 'DVB')), Spacer(1, 3 * mm),
             Paragraph(esc(c.intro), pst(fs)), Spacer(1, 3 * mm)]
    A = c.A
    rows = [[L(''), *[L(f'Applicant {i + 1}') for i in range(len(A))]]]
    for lab, f in [('Title', lambda p: p.title), ('Surname', lambda p: disp_name_parts(c, p)[0]), ('Forename(s)', lambda p: p.fore),
                   ('Previous / maiden name(s)', lambda p: p.prev or 'None'), ('Date of birth', lambda p: dob_text(c, p)),
                   ('Place of birth', lambda p: p.pob)]:
        rows.append([L(lab)] + [V(f(a)) for a in A])
    rows.append([L('Current address'), V(c.address)] + ([''] if len(A) == 2 else []))
    cw = [45 * mm] + [(170 * mm - 45 * mm) / len(A)] * len(A)
    ts = base + grid + ([('SPAN', (1, len(rows) - 1), (2, len(rows) - 1))] if len(A) == 2 else []) + \
        ([('BACKGROUND', (0, 0), (-1, 0), colors.HexColor('#d9e2f3'))] if ruled else [('LINEBELOW', (0, 0), (-1, 0), 0.8, colors.black)])
    story += [Table(rows, colWidths=cw, style=TableStyle(ts)), Spacer(1, 3 * mm)]
    yn, detail = prev_fostered_text(c)
    box = c.style.get('boxes', 'u')
    mark = (lambda on: ('☒' if on else '☐')) if box == 'u' else (lambda on: ('[x]' if on else '[ ]'))
    if box == 'circle':
        story.append(CircledYesNo('Have you or anyone in the household previously fostered, adopted or applied to?', yn, fs))
        if detail:
            story.append(V('Details: ' + detail))
    else:
        story.append(Paragraph(esc(f'Have you or anyone in the household previously fostered, adopted or applied to?   Yes {mark(yn == "Yes")}   No {mark(yn == "No")}'
                                   + (f'   Details: {detail}' if detail else '')), pst(fs)))
    story.append(Spacer(1, 3 * mm))
    hrows = [[L('Other household members (everyone living at the address)'), '', ''], [L('Name'), L('Date of birth'), L('Relationship')]]
    for x in c.H:
        hrows.append([V(row_name(c, x)), V(dob_text(c, x)), V(x.rel)])
    if not c.H:
        hrows.append([V('None'), '', ''])
    hrows.append(['', '', ''])
    story += [Table(hrows, colWidths=[75 * mm, 40 * mm, 55 * mm], style=TableStyle(base + grid + [('SPAN', (0, 0), (-1, 0))])), Spacer(1, 3 * mm)]
    erows = [[L('Children of the applicant(s) not living in the household, including adult children'), '', ''], [L('Name'), L('Date of birth'), L('Where they live')]]
    for x in c.E:
        erows.append([V(row_name(c, x)), V(dob_text(c, x)), V(x.elsewhere_where)])
    if not c.E:
        erows.append([V('N/A'), '', ''])
    story += [Table(erows, colWidths=[75 * mm, 40 * mm, 55 * mm], style=TableStyle(base + grid + [('SPAN', (0, 0), (-1, 0))])), Spacer(1, 3 * mm)]
    if not compact:
        arows = [[L('Previous addresses (last 10 years)'), L('From'), L('To')]] + [[V(a), V(f), V(t)] for a, f, t in c.prev_addr]
        story += [Table(arows, colWidths=[120 * mm, 25 * mm, 25 * mm], style=TableStyle(base + grid)), Spacer(1, 3 * mm)]
    if c.style.get('pagebreak') and not compact:
        story.append(PageBreak())
    story += [Paragraph('Declaration', pst(fs + 1, 'DVB')), Paragraph(esc(c.decl), pst(fs)), Spacer(1, 3 * mm)]
    srows = [[L('Full name'), L('Signature'), L('Date')]]
    for x in signers(c):
        if x.signed:
            s = x.sig_style
            sx = getattr(x, 'sig_by', None) or x
            if s == 'squiggle':
                sig = Squiggle(c.id + sx.fore)
            elif s == 'image':
                from reportlab.platypus import Image as RLImage
                sig = RLImage(io.BytesIO(squiggle_png(c.id + sx.fore)), width=36 * mm, height=11 * mm)
            else:
                t = f'{sx.fore.split()[0]} {sx.sur}'
                hf = hand_font(hand or c.style.get('sighand', 'dkg'), t)
                sig = Paragraph(esc(t), ParagraphStyle('s', fontName=hf, fontSize=14, leading=16, textColor=colors.HexColor('#1b2a6b')))
        else:
            sig = ''
        dtxt = sig_date_text(c, x)
        if x.messy and dtxt:
            dcell = MessyDate(dtxt, seed=c.id + x.fore)
        else:
            dcell = V(dtxt)
        srows.append([V(sig_label(c, x)), sig, dcell])
    for _ in range(c.style.get('blank_sig_rows', 1)):
        srows.append(['', '', ''])
    story.append(Table(srows, colWidths=[70 * mm, 60 * mm, 40 * mm], rowHeights=[None] + [12 * mm] * (len(srows) - 1),
                       style=TableStyle(base + (grid if ruled else [('LINEBELOW', (1, 1), (2, -1), 0.4, colors.grey)]))))
    story += [Spacer(1, 3 * mm), Paragraph(esc(f'Return to {c.org}, {c.service}. Ref {c.form_ref}'), pst(7))]

    def onpage(cv, doc):
        cv.saveState()
        cv.setFont('DVB', 8)
        cv.drawString(20 * mm, A4[1] - 12 * mm, c.org.upper())
        cv.setFont('DV', 7)
        cv.drawRightString(A4[0] - 20 * mm, A4[1] - 12 * mm, c.service)
        cv.drawString(20 * mm, 10 * mm, f'{c.form_title} - page {doc.page}')
        cv.restoreState()
    b = io.BytesIO()
    d = SimpleDocTemplate(b, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=16 * mm,
                          title=c.form_title, author=c.org, creator='Microsoft Word', invariant=1)
    d.build(story, onFirstPage=onpage, onLaterPages=onpage)
    return b.getvalue()


def build_pdf_acro(c):
    """AcroForm: text fields and check boxes, values filled in"""
    b = io.BytesIO()
    cv = rlcanvas.Canvas(b, pagesize=A4, invariant=1)
    cv.setTitle(c.form_title)
    cv.setAuthor(c.org)
    af = cv.acroForm
    W, H = A4
    y = H - 20 * mm
    cv.setFont('Helvetica-Bold', 8)
    cv.drawString(18 * mm, y + 6 * mm, c.org.upper())
    cv.setFont('Helvetica-Bold', 14)
    cv.drawString(18 * mm, y - 4 * mm, c.form_title)
    y -= 14 * mm
    cv.setFont('Helvetica', 8)
    cv.drawString(18 * mm, y, c.intro[:120])
    y -= 8 * mm
    n = [0]

    def tf(val, x, yy, w, h=5.5 * mm):
        n[0] += 1
        af.textfield(name=f'f{n[0]}', value=val or '', x=x, y=yy, width=w, height=h, fontName='Helvetica', fontSize=8,
                     borderWidth=0.5, borderColor=colors.black, fillColor=colors.HexColor('#eef3ff'), textColor=colors.black, forceBorder=True)

    A = c.A
    for i, a in enumerate(A):
        cv.setFont('Helvetica-Bold', 9)
        x0 = 18 * mm + i * 90 * mm
        cv.drawString(x0, y, f'Applicant {i + 1}')
        yy = y - 7 * mm
        for lab, v in [('Title', a.title), ('Surname', disp_name_parts(c, a)[0]), ('Forenames', a.fore), ('Previous names', a.prev or 'None'),
                       ('Date of birth', dob_text(c, a)), ('Place of birth', a.pob)]:
            cv.setFont('Helvetica', 7.5)
            cv.drawString(x0, yy + 1.5 * mm, lab)
            tf(v, x0 + 25 * mm, yy, 58 * mm)
            yy -= 6.5 * mm
    y = yy - 2 * mm
    cv.setFont('Helvetica', 7.5)
    cv.drawString(18 * mm, y + 1.5 * mm, 'Current address')
    tf(c.address, 43 * mm, y, 148 * mm)
    y -= 9 * mm
    yn, detail = prev_fostered_text(c)
    cv.drawString(18 * mm, y + 1 * mm, 'Previously fostered / adopted / applied?   Yes')
    n[0] += 1
    af.checkbox(name=f'cb{n[0]}', x=80 * mm, y=y, size=10, checked=(yn == 'Yes'), buttonStyle='cross', borderWidth=0.5)
    cv.drawString(86 * mm, y + 1 * mm, 'No')
    n[0] += 1
    af.checkbox(name=f'cb{n[0]}', x=92 * mm, y=y, size=10, checked=(yn == 'No'), buttonStyle='cross', borderWidth=0.5)
    if detail:
        tf(detail, 100 * mm, y, 91 * mm)
    y -= 10 * mm
    cv.setFont('Helvetica-Bold', 9)
    cv.drawString(18 * mm, y, 'Household members (not applicants)')
    y -= 5 * mm
    cv.setFont('Helvetica', 7.5)
    for lab, x in [('Name', 18), ('Date of birth', 95), ('Relationship', 130), ('16 or over', 178)]:
        cv.drawString(x * mm, y, lab)
    y -= 6.5 * mm
    for x in c.H + [None]:
        tf(row_name(c, x) if x else '', 18 * mm, y, 75 * mm)
        tf(dob_text(c, x) if x else '', 95 * mm, y, 33 * mm)
        tf(x.rel if x else '', 130 * mm, y, 45 * mm)
        n[0] += 1
        af.checkbox(name=f'cb{n[0]}', x=180 * mm, y=y + 0.5 * mm, size=9, checked=bool(x and age_on(x.dob, c.date.date()) >= 16), buttonStyle='check', borderWidth=0.5)
        y -= 6.5 * mm
    y -= 3 * mm
    cv.setFont('Helvetica-Bold', 9)
    cv.drawString(18 * mm, y, 'Children of the applicant(s) living elsewhere (including adult children)')
    y -= 7 * mm
    for x in c.E + ([None] if not c.E else []):
        tf(row_name(c, x) if x else 'None', 18 * mm, y, 75 * mm)
        tf(dob_text(c, x) if x else '', 95 * mm, y, 33 * mm)
        tf(x.elsewhere_where if x else '', 130 * mm, y, 61 * mm)
        y -= 6.5 * mm
    y -= 3 * mm
    cv.setFont('Helvetica-Bold', 9)
    cv.drawString(18 * mm, y, 'Declaration')
    y -= 4.5 * mm
    cv.setFont('Helvetica', 7)
    words, line = c.decl.split(), ''
    for w in words:
        if cv.stringWidth(line + ' ' + w, 'Helvetica', 7) > 172 * mm:
            cv.drawString(18 * mm, y, line.strip())
            y -= 3.5 * mm
            line = ''
        line += ' ' + w
    cv.drawString(18 * mm, y, line.strip())
    y -= 7 * mm
    cv.setFont('Helvetica', 7.5)
    cv.drawString(18 * mm, y, 'Full name')
    cv.drawString(95 * mm, y, 'Signature')
    cv.drawString(160 * mm, y, 'Date')
    y -= 12 * mm
    for x in signers(c):
        tf(sig_label(c, x), 18 * mm, y + 2 * mm, 75 * mm)
        cv.rect(95 * mm, y, 62 * mm, 10 * mm)
        if x.signed:
            if x.sig_style == 'image':
                cv.drawImage(ImageReader(io.BytesIO(squiggle_png(c.id + x.fore))), 97 * mm, y + 0.5 * mm, 50 * mm, 9 * mm, mask='auto')
            else:
                cv.setFont(hand_font('dkg', x.plain), 13)
                cv.setFillColorRGB(0.1, 0.15, 0.45)
                cv.drawString(98 * mm, y + 3 * mm, f'{x.fore.split()[0]} {x.sur}')
                cv.setFillColorRGB(0, 0, 0)
        tf(sig_date_text(c, x), 160 * mm, y + 2 * mm, 31 * mm)
        y -= 12 * mm
    cv.setFont('Helvetica', 6.5)
    cv.drawString(18 * mm, 10 * mm, f'{c.org} - {c.service} - {c.form_ref}')
    cv.showPage()
    cv.save()
    return b.getvalue()

# ---------------------------------------------------------------- ODT / RTF


def build_odt(c):
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TableCellProperties, TextProperties
    from odf.table import Table as OT
    from odf.table import TableCell, TableColumn, TableRow
    from odf.text import H, P
    d = OpenDocumentText()
    cs = Style(name='cell', family='table-cell')
    cs.addElement(TableCellProperties(border='0.5pt solid #000000', padding='0.05cm'))
    d.automaticstyles.addElement(cs)
    bold = Style(name='b', family='text')
    bold.addElement(TextProperties(fontweight='bold'))
    d.automaticstyles.addElement(bold)
    d.text.addElement(H(outlinelevel=1, text=c.form_title))
    d.text.addElement(P(text=c.org + ' - ' + c.service))
    d.text.addElement(P(text=c.intro))

    def table(name, rows, ncol):
        t = OT(name=name)
        t.addElement(TableColumn(numbercolumnsrepeated=ncol))
        for r_ in rows:
            tr = TableRow()
            for v in r_:
                tc = TableCell(stylename=cs)
                tc.addElement(P(text=v))
                tr.addElement(tc)
            t.addElement(tr)
        d.text.addElement(t)
    A = c.A
    rows = [[''] + [f'Applicant {i + 1}' for i in range(len(A))]]
    for lab, f in [('Title', lambda p: p.title), ('Surname', lambda p: disp_name_parts(c, p)[0]), ('Forenames', lambda p: p.fore),
                   ('Previous names', lambda p: p.prev or 'None'), ('Date of birth', lambda p: dob_text(c, p)), ('Place of birth', lambda p: p.pob),
                   ('Address', lambda p: c.address)]:
        rows.append([lab] + [f(a) for a in A])
    table('Applicants', rows, 1 + len(A))
    yn, detail = prev_fostered_text(c)
    d.text.addElement(P(text=f'Previously fostered/adopted or applied: {yn} {detail}'))
    d.text.addElement(P(text='Household members'))
    table('Household', [['Name', 'Date of birth', 'Relationship']] + [[row_name(c, x), dob_text(c, x), x.rel] for x in c.H] or [['None', '', '']], 3)
    d.text.addElement(P(text='Children not living in the household'))
    table('Elsewhere', [['Name', 'Date of birth', 'Where they live']] + ([[row_name(c, x), dob_text(c, x), x.elsewhere_where] for x in c.E] or [['None', '', '']]), 3)
    d.text.addElement(P(text='Declaration'))
    d.text.addElement(P(text=c.decl))
    srows = [['Full name', 'Signature', 'Date']]
    for x in signers(c):
        srows.append([sig_label(c, x), (f'{x.fore.split()[0]} {x.sur}' if x.signed else ''), sig_date_text(c, x)])
    table('Signatures', srows, 3)
    b = io.BytesIO()
    d.write(b)
    return normalize_zip(b.getvalue(), first='mimetype')


def rtf_esc(s):
    out = ''
    for ch in s:
        o = ord(ch)
        if ch in '\\{}':
            out += '\\' + ch
        elif o > 127:
            out += f'\\u{o if o < 32768 else o - 65536}?'
        else:
            out += ch
    return out


def build_rtf(c):
    L = [r'{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}{\f1\fscript Segoe Script;}}',
         r'{\header\pard\qr\fs16 ' + rtf_esc(c.org) + r'\par}', r'\fs20']
    L.append(r'\pard\b\fs28 ' + rtf_esc(c.form_title) + r'\b0\fs20\par')
    L.append(r'\pard ' + rtf_esc(c.intro) + r'\par\par')

    def row(cells, widths, bold=False):
        s = r'\trowd\trgaph108'
        x = 0
        for w in widths:
            x += w
            s += r'\clbrdrt\brdrs\clbrdrl\brdrs\clbrdrb\brdrs\clbrdrr\brdrs\cellx' + str(x)
        for v in cells:
            s += r'\pard\intbl ' + (r'\b ' if bold else '') + rtf_esc(v) + (r'\b0' if bold else '') + r'\cell'
        return s + r'\row'
    A = c.A
    wd = [2600] + [3400] * len(A)
    L.append(row([''] + [f'Applicant {i + 1}' for i in range(len(A))], wd, True))
    for lab, f in [('Title', lambda p: p.title), ('Surname', lambda p: disp_name_parts(c, p)[0]), ('Forenames', lambda p: p.fore),
                   ('Previous names', lambda p: p.prev or 'None'), ('Date of birth', lambda p: dob_text(c, p)), ('Place of birth', lambda p: p.pob)]:
        L.append(row([lab] + [f(a) for a in A], wd))
    L.append(r'\pard\par Current address: ' + rtf_esc(c.address) + r'\par')
    yn, detail = prev_fostered_text(c)
    L.append(r'\pard Previously fostered/adopted: ' + rtf_esc(f'{yn} {detail}') + r'\par\par')
    L.append(r'\pard\b Household members\b0\par')
    L.append(row(['Name', 'Date of birth', 'Relationship'], [3600, 2400, 3000], True))
    for x in c.H:
        L.append(row([row_name(c, x), dob_text(c, x), x.rel], [3600, 2400, 3000]))
    L.append(r'\pard\par\b Children living elsewhere (including adult children)\b0\par')
    L.append(row(['Name', 'Date of birth', 'Where'], [3600, 2400, 3000], True))
    for x in c.E or []:
        L.append(row([row_name(c, x), dob_text(c, x), x.elsewhere_where], [3600, 2400, 3000]))
    L.append(r'\pard\par\b Declaration\b0\par ' + rtf_esc(c.decl) + r'\par\par')
    L.append(row(['Full name', 'Signature', 'Date'], [3600, 3400, 2000], True))
    for x in signers(c):
        sig = (r'{\f1\i ' + rtf_esc(f'{x.fore.split()[0]} {x.sur}') + '}') if x.signed else ''
        L.append(row([sig_label(c, x), '\x00SIG\x00', sig_date_text(c, x)], [3600, 3400, 2000]).replace(rtf_esc('\x00SIG\x00'), sig))
    L.append(r'\pard\par}')
    return '\n'.join(L).encode('ascii')

# ---------------------------------------------------------------- scans


def render_pages(pdf_bytes, dpi, gray=True):
    doc = pdfium.PdfDocument(pdf_bytes)
    ims = []
    for i in range(len(doc)):
        pg = doc[i]
        im = pg.render(scale=dpi / 72, may_draw_forms=True).to_pil()
        ims.append(im.convert('L' if gray else 'RGB'))
    doc.close()
    return ims


def copier(im, r, skew, rot, noise=9):
    im = im.convert('L')
    im = im.rotate(skew, resample=Image.BICUBIC, expand=True, fillcolor=250)
    a = np.asarray(im).astype(np.float32)
    # toner: darken ink a bit, lift paper to off-white, gaussian grain, a vertical streak
    a = np.where(a < 160, a * 0.75, a * 0.97 + 6)
    gen = np.random.default_rng(r.randint(0, 10 ** 6))
    a += gen.normal(0, noise, a.shape)
    col = r.randint(50, a.shape[1] - 50)
    a[:, col:col + 2] -= 25
    a = np.clip(a, 0, 255).astype(np.uint8)
    im = Image.fromarray(a, 'L').filter(ImageFilter.GaussianBlur(0.5))
    if rot:
        im = im.rotate(-rot, expand=True)   # clockwise by rot
    return im


def phone_photo(im, r, skew, rot):
    im = im.convert('RGB')
    w, h = im.size
    bg = Image.new('RGB', (int(w * 1.12), int(h * 1.1)), (92, 74, 58))
    bg.paste(im, (int(w * 0.06), int(h * 0.05)))
    im = bg.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=(92, 74, 58))
    W, H = im.size
    dx, dy = W * 0.06, H * 0.04
    # perspective: top edge narrower than bottom (phone tilted)
    coeffs = find_coeffs([(0, 0), (W, 0), (W, H), (0, H)], [(-dx, -dy * 0.5), (W + dx * 0.6, 0), (W, H), (0, H + dy * 0.3)])
    im = im.transform((W, H), Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=(92, 74, 58))
    a = np.asarray(im).astype(np.float32)
    yy, xx = np.mgrid[0:H, 0:W]
    light = 0.62 + 0.45 * (1 - ((xx - W * 0.7) ** 2 + (yy - H * 0.25) ** 2) ** 0.5 / (1.2 * max(W, H)))
    a = a * light[..., None] * np.array([1.0, 0.97, 0.9])
    gen = np.random.default_rng(r.randint(0, 10 ** 6))
    a += gen.normal(0, 4, a.shape)
    im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), 'RGB').filter(ImageFilter.GaussianBlur(0.7))
    if rot:
        im = im.rotate(-rot, expand=True)
    return im


def find_coeffs(pa, pb):
    m = []
    for p1, p2 in zip(pa, pb):
        m.append([p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]])
        m.append([0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]])
    A_ = np.array(m, dtype=np.float64)
    B = np.array(pb, dtype=np.float64).reshape(8)
    return np.linalg.solve(A_, B).tolist()


def images_to_pdf(ims, dpi):
    b = io.BytesIO()
    cv = rlcanvas.Canvas(b, pagesize=A4, invariant=1)
    cv.setCreator('RICOH MP C3004 scanner')
    for im in ims:
        j = io.BytesIO()
        im.convert('L' if im.mode == 'L' else 'RGB').save(j, 'JPEG', quality=72)
        w, h = im.size
        pw, ph = (A4 if h >= w else (A4[1], A4[0]))
        cv.setPageSize((pw, ph))
        cv.drawImage(ImageReader(io.BytesIO(j.getvalue())), 0, 0, pw, ph)
        cv.showPage()
    cv.save()
    return b.getvalue()


def build_scan(c):
    s = c.scan
    r = rng_for('scan' + c.id)
    compact = s['image'] in ('jpeg', 'png', 'heic') or s.get('compact')
    hand = s.get('hand')
    src = build_pdf_flow(c, hand=hand, compact=compact)
    ims = render_pages(src, s['dpi'], gray=(s['source'] == 'copier'))
    if s['image'] in ('jpeg', 'png', 'heic'):
        ims = ims[:1]
    if s['source'] == 'copier':
        ims = [copier(im, r, s['skew'] * (1 if i == 0 else -0.6), s['rotation']) for i, im in enumerate(ims)]
    else:
        ims = [phone_photo(im, r, s['skew'], s['rotation']) for im in ims]
    kind = s['image']
    if kind == 'pdf':
        return images_to_pdf(ims, s['dpi'])
    b = io.BytesIO()
    if kind == 'jpeg':
        ims[0].save(b, 'JPEG', quality=s.get('q', 75), dpi=(s['dpi'], s['dpi']))
    elif kind == 'png':
        ims[0].convert('L').quantize(16).save(b, 'PNG', optimize=True, dpi=(s['dpi'], s['dpi']))
    elif kind == 'tiff':
        bw = [im.convert('L').point(lambda v: 255 if v > 150 else 0).convert('1') for im in ims]
        bw[0].save(b, 'TIFF', compression='group4', save_all=True, append_images=bw[1:], dpi=(s['dpi'], s['dpi']))
    elif kind == 'heic':
        ims[0].save(b, 'HEIF', quality=60)
    return b.getvalue()

# ---------------------------------------------------------------- not-a-form attachments


def referral_letter_pdf(c):
    b = io.BytesIO()
    cv = rlcanvas.Canvas(b, pagesize=A4, invariant=1)
    cv.setFont('DVB', 11)
    cv.drawString(25 * mm, 270 * mm, c.org)
    cv.setFont('DV', 10)
    y = 250 * mm
    txt = [f'Date: {fdate(c.date.date() - dt.timedelta(days=20), "long")}', '', 'To whom it may concern,', '',
           f'Re: {c.A[0].name}  - self-referral to fostering', '',
           f'{c.A[0].name} contacted our service on {fdate(c.date.date() - dt.timedelta(days=60), "long")} to express an interest',
           'in becoming a foster carer. An initial visit was completed and the applicant has been invited to',
           'the Skills to Foster preparation group. This letter confirms the referral only.', '',
           'Yours faithfully,', '', 'Recruitment Officer', c.org]
    for t in txt:
        cv.drawString(25 * mm, y, t)
        y -= 6 * mm
    cv.showPage()
    cv.save()
    return b.getvalue()


def photo_jpeg(c):
    r = rng_for('photo' + c.id)
    im = Image.new('RGB', (800, 600), (120, 160, 200))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 380, 800, 600], fill=(70, 130, 60))
    d.polygon([(250, 380), (400, 230), (550, 380)], fill=(150, 60, 50))
    d.rectangle([280, 380, 520, 520], fill=(210, 190, 160))
    d.rectangle([380, 440, 420, 520], fill=(90, 60, 40))
    for _ in range(30):
        x, y = r.randint(0, 800), r.randint(400, 600)
        d.ellipse([x, y, x + 8, y + 8], fill=(230, 220, 90))
    b = io.BytesIO()
    im.save(b, 'JPEG', quality=75)
    return b.getvalue()


def logo_png(c):
    im = Image.new('RGB', (220, 60), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.ellipse([5, 5, 55, 55], fill=(0, 110, 80))
    d.text((65, 22), c.org_short.upper(), fill=(0, 80, 60))
    b = io.BytesIO()
    im.save(b, 'PNG')
    return b.getvalue()


def formf_extract_docx(c):
    doc = docx.Document()
    doc.core_properties.created = doc.core_properties.modified = dt.datetime(2026, 1, 5, 9, 0, 0)
    doc.add_heading('Form F (CoramBAAF) - Section A extract', 1)
    a = c.A[0]
    t = doc.add_table(rows=0, cols=2)
    t.style = 'Table Grid'
    for k, v in [('Applicant', a.name), ('Date of birth', fdate(a.dob, 'slash')), ('Ethnicity', 'Not recorded in extract'),
                 ('Occupation', 'Teaching assistant'), ('Health', 'Medical completed; awaiting report')]:
        row = t.add_row()
        row.cells[0].text, row.cells[1].text = k, v
    doc.add_paragraph('A1 Motivation: The applicant has wanted to foster since volunteering with a youth project. '
                      'Their support network includes two siblings who live nearby.')
    doc.add_paragraph('This extract does not contain the statutory checks consent.')
    b = io.BytesIO()
    doc.save(b)
    return normalize_zip(b.getvalue())

# ---------------------------------------------------------------- mail


def pick_names_text(c, people, with_title=True):
    ns = [p.name if with_title else p.plain for p in people]
    return ns[0] if len(ns) == 1 else ', '.join(ns[:-1]) + ' and ' + ns[-1]


def note_text(c):
    r = rng_for('note' + c.id)
    v = c.voice
    who = c.req
    role = c.role
    apps = pick_names_text(c, c.A)
    sign = f'\n\n{who[0]}\n{c.job}\n{who[2]}\nTel: {c.tel}\n'
    if who[4] in ('la_box', 'agency_box'):
        sign = f'\n\n{c.sender_person}\non behalf of the {c.service.split()[0]} Team\n{who[2]}\nTel: {c.tel}\n'
    if who[4] == 'webmail':
        sign = f'\n\n{who[0]}\nIndependent Social Worker (commissioned by {c.commissioner})\nMob: {c.tel}\n'
    if c.urgent:
        urg = r.choice(['This is URGENT: we are hoping to place a sibling group with them this week, so anything you can do today would be appreciated.',
                        'Please treat as urgent - an emergency placement is planned for Friday.'])
    else:
        urg = ''
    prevtxt = ''
    if c.prev_trust:
        prevtxt = r.choice([f' {c.A[0].name} was previously approved as a foster carer with Elmbury, so your fostering team may hold records.',
                            ' They tell us they fostered for your authority some years ago.'])
    elif c.prev_else:
        prevtxt = f' For information, {c.A[0].plain} previously fostered with {c.prev_else_org}.'
    if v == 'one_line':
        body = r.choice(['Please see attached.', 'Please see attached, thanks.', 'See attached LA check request.'])
        return body + (' ' + urg if urg else '') + sign
    if v == 'signed_attached':
        body = r.choice(['Signed consent attached.', 'Signed consent attached - LA checks please.', 'Hi, signed consent attached for checks on the below.'])
        if c.note_names:
            body += f'\n\nApplicant(s): {pick_names_text(c, c.note_people())}'
        return body + prevtxt + ('\n\n' + urg if urg else '') + sign
    # paragraph-type
    greet = r.choice(['Dear Colleague,', 'Hello CASS team,', 'Good morning,', 'Dear Sir/Madam,', 'Hi,'])
    hh = c.note_household()
    hhtxt = ''
    if hh:
        parts = []
        for x in hh:
            dob = x.note_dob or x.dob
            if c.note_dobs:
                parts.append(f'{x.plain} ({x.rel}, DOB {fdate(dob, "slash")})')
            else:
                parts.append(f'{x.plain} ({x.rel})')
        hhtxt = ' Also living in the household: ' + '; '.join(parts) + '.'
    else:
        hhtxt = ' There is no-one else in the household.' if len(c.A) else ''
    etxt = ''
    for x in c.note_elsewhere():
        etxt += f' {x.plain} is an adult child of the applicant and lives independently in {x.elsewhere_where.split(",")[-1].strip()}.' if age_on(x.dob, c.date.date()) >= 18 else f' {x.plain} lives with their other parent.'
    dobs = ''
    if c.note_dobs:
        dobs = ' (' + ', '.join(f'DOB {fdate(a.note_dob or a.dob, "slash")}' for a in c.note_people()) + ')'
    names = pick_names_text(c, c.note_people())
    many = len(c.note_people()) > 1
    art = 'an' if role[0] in 'aeiou' else 'a'
    s1 = r.choice([f'We are currently completing {art} {role} assessment of {names}{dobs} of {c.note_address} and would be grateful for any information your service holds.',
                   f'I am the assessing social worker for {names}{dobs}, {c.note_address}, who ' + (f'have applied to become {role}s' if many else f'has applied to become {art} {role}') + '. Could you please carry out local authority checks?',
                   f'Please could you complete LA checks for {names}{dobs}, currently living at {c.note_address}, who ' + (f'are being assessed as {role}s.' if many else f'is being assessed as {art} {role}.')])
    cons = r.choice(['Signed consent is attached.', 'Please find attached the signed consent form.', 'The signed consent for checks is attached for everyone in the household over 16.',
                     'I attach their consent to local authority checks.'])
    body = f'{greet}\n\n{s1}{hhtxt}{etxt}{prevtxt}\n\n{cons}' + (f'\n\n{urg}' if urg else '') + \
        r.choice(['\n\nMany thanks for your help.', '\n\nKind regards,', '\n\nThank you in advance.', '\n\nBest wishes,'])
    return body + sign


def html_of(text, c):
    paras = ''.join(f'<p class=MsoNormal><span style="font-family:Calibri,sans-serif;font-size:11.0pt">{esc(p).replace(chr(10), "<br>")}</span></p>\n'
                    for p in text.split('\n\n'))
    return (f'<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">'
            f'<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta name="Generator" content="Microsoft Word 15 (filtered medium)">'
            f'<style>p.MsoNormal{{margin:0cm;font-size:11.0pt;font-family:"Calibri",sans-serif}}</style></head>'
            f'<body lang=EN-GB link="#0563C1" vlink="#954F72"><div class=WordSection1>{paras}'
            f'<p class=MsoNormal><span style="font-size:8.0pt;color:gray">This email and any attachments are confidential. If you have received it in error please notify the sender.</span></p></div></body></html>')


def build_mail(c, attachments):
    r = rng_for('mail' + c.id)
    msg = MIMEMultipart('mixed')
    msg.set_boundary(f'----=_NextPart_{hashlib.md5(c.id.encode()).hexdigest()[:20]}')
    who = c.req
    text = note_text(c)
    subj = c.subject
    mid_dom = who[1].split('@')[1]
    if c.voice in ('fwd_colleague', 'fwd_trust'):
        fw_from = c.fw_from
        orig_date = c.date - dt.timedelta(hours=r.randint(3, 40))
        quoted = (f'\n\n________________________________\nFrom: {who[0]} <{who[1]}>\nSent: {orig_date.strftime("%d %B %Y %H:%M")}\n'
                  f'To: {c.fw_to}\nSubject: {c.subject}\n\n' + text)
        if c.voice == 'fwd_colleague':
            lead = r.choice([f'Hi CASS,\n\nForwarding the request below from my colleague {who[0]} who is now on leave - please reply to me.',
                             f'Forwarding on behalf of {who[0]}. Consent attached.'])
        else:
            lead = 'Hi CASS,\n\nThis came into the general Trust inbox - forwarding for you to pick up.\n\nKaren\nBusiness Support'
        text = lead + quoted
        subj = ('FW: ' if c.voice == 'fwd_colleague' else 'Fw: ') + c.subject
        msg['From'] = eutils.formataddr(fw_from)
        mid_dom = fw_from[1].split('@')[1]
    else:
        msg['From'] = eutils.formataddr((who[0], who[1]))
    msg['To'] = 'cass@childrenstrust.example' if c.voice != 'fwd_trust' else 'CASS <cass@childrenstrust.example>'
    msg['Subject'] = Header(subj, 'utf-8') if any(ord(ch) > 127 for ch in subj) else subj
    msg['Date'] = eutils.format_datetime(c.date)
    msg['Message-ID'] = f'<{hashlib.sha1(c.id.encode()).hexdigest()[:24]}@{mid_dom}>'
    if c.voice in ('html_only',) or c.req[4] == 'la' and c.voice == 'paragraph' and r.random() < 0.2:
        msg['X-Mailer'] = 'Microsoft Outlook 16.0'
        msg['Thread-Index'] = 'AdpF' + hashlib.md5(c.id.encode()).hexdigest()[:20]
    if c.voice == 'html_only':
        part = MIMEText(html_of(text, c), 'html', 'utf-8')
    else:
        part = MIMEText(text, 'plain', 'utf-8')
    msg.attach(part)
    for fname, ctype, data in attachments:
        maint, sub = ctype.split('/')
        a = MIMEBase(maint, sub, name=fname)
        a.set_payload(data)
        encoders.encode_base64(a)
        a.add_header('Content-Disposition', 'attachment', filename=fname)
        msg.attach(a)
    return msg.as_bytes()


# ---------------------------------------------------------------- cases
CT = {'docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'pdf': 'application/pdf',
      'jpeg': 'image/jpeg', 'png': 'image/png', 'tiff': 'image/tiff', 'heic': 'image/heic',
      'odt': 'application/vnd.oasis.opendocument.text', 'rtf': 'application/rtf'}
EXT = {'docx': 'docx', 'pdf': 'pdf', 'jpeg': 'jpg', 'png': 'png', 'tiff': 'tif', 'heic': 'HEIC', 'odt': 'odt', 'rtf': 'rtf'}

TITLES = ['Consent to local authority checks', 'Fostering: consent for checks', 'Adoption: consent for checks',
          'Statutory checks consent form', 'Form F checks consent', 'Consent to Local Authority and Statutory Checks',
          'Connected persons assessment - consent to checks', 'Special guardianship - consent to local authority checks']


class Case:
    def note_people(self):
        return self.note_A if self.note_A is not None else self.A

    def note_household(self):
        return self.note_H if self.note_H is not None else self.H

    def note_elsewhere(self):
        return self.note_E if self.note_E is not None else self.E


def tzdate(y, m, d, hh, mi):
    off = 1 if (m < 10 or (m == 10 and d < 25)) else 0
    return dt.datetime(y, m, d, hh, mi, tzinfo=dt.timezone(dt.timedelta(hours=off)))


def make_case(n, hint, fmt, *, apps='mf', extras=(), date=None, req='kestrel_sw', voice='paragraph', mods=(),
              style=None, scan=None, sig_days=(6, 30), prev_trust=False, prev_else=None, urgent=False, role=None,
              note_names=True, note_dobs=True, pool=None, pool2=None, twist=None, att_kind=None, notes=''):
    c = Case()
    c.id = f'fa-{n:02d}-{hint}'
    r = rng_for(c.id)
    c.fmt, c.scan, c.voice, c.urgent = fmt, scan, voice, urgent
    if date is None:   # a working day between 5 October and 18 December 2026
        while True:
            d0 = dt.date(2026, 10, 5) + dt.timedelta(days=r.randint(0, 74))
            if d0.weekday() < 5:
                break
        date = (d0.month, d0.day)
    c.date = tzdate(2026, date[0], date[1], r.randint(8, 16), r.randint(0, 59))
    mail = c.date.date()
    c.req = REQ[req]
    c.A, c.H, c.E = family(r, mail, apps, list(extras), pool=pool, pool2=pool2)
    c.form_dob = {}
    c.note_A = c.note_H = c.note_E = None
    c.note_names, c.note_dobs = note_names, note_dobs
    town, pc = r.choice([t for t in TOWNS if t[0] != 'Elmbury'])
    c.address = f'{r.randint(1, 99)} {r.choice(STREETS)}, {town} {pc}{r.randint(1, 9)} {r.randint(1, 9)}{r.choice("ABDEFGHJLNPQRSTUWXYZ")}{r.choice("ABDEFGHJLNPQRSTUWXYZ")}'
    c.note_address = c.address
    for x in c.E:
        t2, pc2 = r.choice(TOWNS)
        x.elsewhere_where = r.choice(['Own flat, ', 'With partner, ', 'University halls, ', 'With other parent, ']) + t2
        if age_on(x.dob, mail) < 16:
            x.elsewhere_where = 'With other parent, ' + t2
    c.prev_addr = prev_addresses(c)
    # an Elmbury address in the history: the reason CASS is asked
    a0 = c.prev_addr[0]
    c.prev_addr[0] = (re.sub(r', [A-Z][a-z]+( [A-Z][a-z]+)? [A-Z]{2}\d', ', Elmbury EB' + str(r.randint(1, 9)), a0[0]), a0[1], a0[2])
    c.prev_trust = prev_trust
    c.prev_else = None
    c.prev_else_org = None
    if prev_else:
        c.prev_else_org = prev_else
        c.prev_else = f'Fostered with {prev_else}'
    c.role = role or r.choice(['foster carer', 'adopter', 'foster carer', 'connected person foster carer', 'special guardian'])
    c.org = c.req[2] if c.req[4] != 'webmail' else 'Northwold County Council'
    c.commissioner = 'Northwold County Council'
    c.org_short = c.org.split()[0]
    c.service = 'Fostering Service' if 'adopt' not in c.role else 'Adoption Service'
    c.form_title = (style or {}).get('title') or r.choice(TITLES)
    c.form_ref = f'{c.org_short[:3].upper()}-LAC-{r.randint(100, 999)}'
    c.decl = DECL.format(org=c.org, role=('an ' if c.role[0] in 'aeiou' else 'a ') + c.role)
    c.intro = r.choice(['Please complete in BLOCK CAPITALS. All adults (16+) in the household must sign.',
                        'This form must be completed by the applicant(s) and every member of the household aged 16 or over.',
                        'Information on this form will be used to carry out statutory checks.'])
    c.style = {'layout': 'side', 'names': 'normal', 'dob': 'slash', 'sdate': 'slash'}
    c.style.update(style or {})
    c.form_made = mail
    c.tel = phone(r)
    c.job = r.choice(['Supervising Social Worker', 'Assessing Social Worker', 'Senior Practitioner, Fostering Assessment Team',
                      'Social Worker - Adoption Assessments', 'Kinship Assessment Social Worker'])
    c.sender_person = r.choice(['Lucy (Team Administrator)', 'Jas Bains, Business Support', 'Fostering Duty', 'Recruitment Team'])
    c.fw_from = (c.req[0] + ' colleague', c.req[1])
    if voice == 'fwd_colleague':
        dom = c.req[1].split('@')[1]
        c.fw_from = ('Shona Ritchie', f'shona.ritchie@{dom}')
    if voice == 'fwd_trust':
        c.fw_from = TRUST_STAFF
    c.fw_to = 'cass@childrenstrust.example' if voice == 'fwd_colleague' else 'info@childrenstrust.example'
    # default signatures
    base = mail - dt.timedelta(days=r.randint(*sig_days))
    for p in c.A + c.H:
        if p.section == 'applicant' or age_on(p.dob, mail) >= 16:
            p.signed = True
            p.sdate = min(base + dt.timedelta(days=r.choice([0, 0, 0, 1, 2])), mail)
            p.sig_style = c.style.get('sig', 'squiggle')
    for who, act, *arg in mods:
        p = {'A1': lambda: c.A[0], 'A2': lambda: c.A[1]}.get(who, lambda: c.H[int(who[1:])])()
        if act == 'unsigned':
            p.signed = False
        elif act == 'omit':
            p.in_sig = False
        elif act == 'nodate':
            p.sdate = None
        elif act == 'date':
            p.sdate = arg[0](mail)
        elif act == 'messy':
            p.messy = True
        elif act == 'parent':   # the first applicant signs the child's row
            p.parent_sig, p.signed, p.sdate = True, True, c.A[0].sdate
            p.sig_style, p.sig_by = c.A[0].sig_style, c.A[0]
        elif act == 'style':
            p.sig_style = arg[0]
        elif act == 'sign':   # an under-16 who signed anyway
            p.signed, p.sdate = True, c.A[0].sdate
        elif act == 'formdob':   # DOB in form differs from covering note
            p.note_dob = p.dob
            c.form_dob[id(p)] = arg[0](p.dob)
    c.disagree = False
    if twist == 'wrong_family':
        # the note names another family; the form attached is this one
        r2 = rng_for(c.id + 'other')
        oA, oH, oE = family(r2, mail, 'mf', ['c', 'ac'])
        for p in oA + oH:
            if p.section == 'applicant' or age_on(p.dob, mail) >= 16:
                p.signed, p.sdate = True, c.A[0].sdate
        c.note_A, c.note_H, c.note_E = oA, oH, oE
        c.note_address = f'{r2.randint(1, 99)} {r2.choice(STREETS)}, Harlow Moor HM4 {r2.randint(1, 9)}QS'
        c.disagree = True
    if twist == 'dob_differs':
        c.disagree = True
    c.att_kind = att_kind
    c.notes = notes
    c.subject = make_subject(c, r)
    return c


def make_subject(c, r):
    np_ = c.note_people()
    s = r.choice(['LA checks - {n}', 'OLA request: {n}', 'Information request - fostering assessment - {n}', 'Local authority checks {n}',
                  'Request for LA checks - {n} - consent attached', '{n} - statutory checks', 'Adoption assessment checks: {n}', 'Checks request'])
    names = ' & '.join(p.sur for p in np_) if len(set(p.sur for p in np_)) > 1 else np_[0].sur
    if c.voice == 'one_line' and r.random() < 0.5:
        s = 'LA checks'
    out = s.format(n=names)
    if c.urgent:
        out = 'URGENT ' + out
    return out


# ---------------------------------------------------------------- case table
def M(days=0, months=0):
    return lambda d: add_months(d, -months) - dt.timedelta(days=days)


def FUT(days):
    return lambda d: d + dt.timedelta(days=days)


def cases():
    C = []
    n = [0]

    def add(hint, fmt, **kw):
        n[0] += 1
        C.append(make_case(n[0], hint, fmt, **kw))
    # ---------- DOCX (20)
    add('docx-single-ok', 'docx', apps='f', extras=[], req='kestrel_sw', style={'layout': 'side'}, notes='Single applicant living alone, signed and dated two weeks before the mail.')
    add('docx-couple-kids-ok', 'docx', apps='mf', extras=['c', 'c'], req='northwold_box', voice='signed_attached',
        style={'layout': 'side', 'names': 'caps', 'dob': 'dot2', 'sdate': 'dot2', 'sig': 'script', 'boxes': 'b'}, notes='Joint applicants with two young children; both applicants signed; a gov.uk team box is secure.')
    add('docx-adultchild-home-signed', 'docx', apps='mf', extras=['ac', 'c'], req='harlow_sw', style={'layout': 'stacked', 'widgets': 'sdt', 'sig': 'image'},
        notes='Adult son/daughter at home is 16+ and has signed like the applicants; dates in Word date-picker content controls.')
    add('docx-adultchild-unsigned', 'docx', apps='mf', extras=['ac'], req='willow_sw', mods=[('H0', 'unsigned')],
        style={'layout': 'side', 'sig_orient': 'cols', 'sig': 'script'}, notes='The adult child living at home is named in the signature table but the signature cell is empty, so consent is incomplete.')
    add('docx-sixteen-today-unsigned', 'docx', apps='ff', extras=['s16', 'c'], req='calder_sw', mods=[('H0', 'omit')],
        style={'layout': 'nested', 'dob': 'mon', 'sdate': 'mon'}, notes='Same-sex couple; the eldest child turns 16 on the day of the mail and is not in the signature table, so consent is incomplete.')
    add('docx-fifteen-turning16-ok', 'docx', apps='mf_diff', extras=['f15', 'c'], req='sunrise_sw', style={'layout': 'side', 'widgets': 'legacy', 'boxes': 'u'},
        notes='Unmarried couple with different surnames; the eldest child is 15 and turns 16 a week after the mail, so need not sign; legacy form fields.')
    add('docx-lodger-signed', 'docx', apps='f', extras=['lod', 'c'], req='brightpath_info', voice='paragraph', style={'layout': 'stacked', 'sig': 'script', 'textbox': True},
        notes='Single applicant with a lodger who signed; info@ of an agency is not secure; declaration in a text box.')
    add('docx-lodger-missing-sig', 'docx', apps='m', extras=['lod'], req='bramble_sw', mods=[('H0', 'unsigned')], style={'layout': 'side', 'sig': 'image'},
        notes='The lodger is 16+ and named in the signature table with an empty signature cell: incomplete.')
    add('docx-grandmother-ok', 'docx', apps='mf', extras=['gm', 'c', 'c'], req='raa_box', voice='signed_attached', role='adopter',
        style={'layout': 'side', 'widgets': 'sdt', 'sig_orient': 'cols', 'sig': 'script', 'pagebreak': True}, notes='Household includes the applicant\'s mother, who signed; two-page form; RAA gov.uk box is secure.')
    add('docx-nodate', 'docx', apps='mm', extras=['c'], req='oakleaf_admin', mods=[('A2', 'nodate')], role='adopter',
        style={'layout': 'side', 'widgets': 'sdt', 'sig': 'image'}, notes='Second applicant signed but the date content control still shows its placeholder, so consent is incomplete.')
    add('docx-future-date', 'docx', apps='mf', extras=['c'], req='wyvern_sw', mods=[('A2', 'date', FUT(9))], style={'layout': 'side', 'sdate': 'ord', 'dob': 'ord'},
        notes='One signature is dated nine days after the mail, which cannot be a signing date: incomplete.')
    add('docx-exact-3-months', 'docx', apps='f', extras=['c', 'c'], req='ashby_sw', date=(11, 30),
        mods=[('A1', 'date', M(months=3))], style={'layout': 'stacked', 'sdate': 'long', 'dob': 'long'}, notes='Signed exactly three calendar months before the mail (30 Aug to 30 Nov): still in date.')
    add('docx-3m-and-a-day', 'docx', apps='mf', extras=['ac'], req='northwold_sw', date=(12, 2),
        mods=[('A1', 'date', M(days=1, months=3)), ('A2', 'date', M(days=1, months=3)), ('H0', 'date', M(days=1, months=3))],
        style={'layout': 'side', 'sdate': 'slash'}, notes='Everyone signed three months and one day before the mail: expired.')
    add('docx-oldest-too-old', 'docx', apps='mf', extras=['ac', 'ac', 'c'], req='kestrel_sw', date=(10, 20),
        mods=[('H1', 'date', M(days=12, months=4))], style={'layout': 'side', 'widgets': 'legacy', 'sig_orient': 'rows'},
        notes='Four signatures; the second adult child signed four months earlier than the rest, so consent has expired.')
    add('docx-wrong-family', 'docx', apps='mf', extras=['c'], req='harlow_sw', twist='wrong_family',
        style={'layout': 'side', 'names': 'caps'}, notes='The covering note asks about one couple but the attached form is another family\'s, so there is no consent for the people asked about.')
    add('docx-dob-differs', 'docx', apps='mf', extras=['c'], req='calder_sw', twist='dob_differs', mods=[('A1', 'formdob', lambda d: d.replace(day=min(d.day + 1, 28) if d.day != 28 else 3))],
        style={'layout': 'nested', 'widgets': 'sdt'}, notes='The first applicant\'s date of birth in the form differs by a digit from the covering note; the form is taken as the truth; consent is fine.')
    add('docx-seven-household', 'docx', apps='mf', extras=['gm', 'ac', 'c17', 'c', 'c'], req='bramble_rec', voice='one_line', prev_trust=True,
        style={'layout': 'side', 'sig_orient': 'rows', 'sig': 'script', 'pagebreak': True, 'dob': 'iso', 'sdate': 'iso'},
        notes='Household of seven: both applicants, grandmother, an adult child and a 17-year-old sign; they fostered for Elmbury before, so CHARMS; recruitment@ is not secure.')
    add('docx-parent-signs-child', 'docx', apps='f', extras=['c', 'c'], req='isw_gmail', voice='paragraph', mods=[('H0', 'parent'), ('H1', 'parent')],
        style={'layout': 'side', 'sig': 'image'}, notes='Single mother; she also signs a row for each child under 16 (not required); an ISW on gmail is not secure.')
    add('docx-adult-elsewhere-ok', 'docx', apps='mf', extras=['ae', 'ae', 'c'], req='sunrise_sw', voice='html_only', prev_else='Harlow Moor Metropolitan Borough Council',
        style={'layout': 'stacked', 'widgets': 'legacy', 'sig': 'script'}, notes='Two adult children live elsewhere and need not sign; HTML-only Outlook mail; previously fostered with another council.')
    add('docx-partner-not-applicant', 'docx', apps='f', extras=['partner', 'c'], req='isw_outlook', voice='signed_attached', mods=[('H0', 'unsigned')], style={'layout': 'side'},
        notes='The applicant\'s partner lives in the household but is not an applicant and has not signed: incomplete.')
    # ---------- PDF text layer (20)
    add('pdf-ruled-couple-ok', 'pdf', apps='mf', extras=['c'], req='kestrel_sw', style={'ruled': True, 'pagebreak': True}, notes='Two-page ruled form, both applicants signed with vector squiggles.')
    add('pdf-align-single-ok', 'pdf', apps='f', extras=[], req='northwold_box', voice='one_line', style={'ruled': False, 'sig': 'script', 'dob': 'dash', 'sdate': 'dash', 'boxes': 'b'},
        notes='One-line covering note; form laid out by alignment only; typed script signature.')
    add('pdf-acro-ok', 'pdf', apps='mf', extras=['c', 'c'], req='willow_sw', pool='english', style={'acro': True, 'sig': 'image', 'sdate': 'slash2'},
        notes='AcroForm with filled text fields and check boxes; signature images; values are in field widgets.')
    add('pdf-acro-blank-sig', 'pdf', apps='mf', extras=['ac'], req='bracken_box', pool='caribbean', mods=[('A2', 'unsigned')], style={'acro': True, 'sig': 'script'},
        notes='AcroForm; the second applicant\'s signature box is blank: incomplete.')
    add('pdf-acro-s16-signed', 'pdf', apps='f', extras=['s16'], req='wyvern_sw', pool='irish', style={'acro': True, 'sig': 'script', 'sdate': 'slash'}, date=(12, 9),
        notes='AcroForm; the son turned 16 on the day of the mail and did sign, so consent is fine.')
    add('pdf-same-sex-m-ok', 'pdf', apps='mm', extras=[], req='oakleaf_admin', role='adopter', voice='paragraph', style={'ruled': True, 'sig': 'squiggle', 'dob': 'ord', 'sdate': 'ord'},
        notes='Male couple with different surnames, adopters; admin@ is not secure.')
    add('pdf-grandparents', 'pdf', apps='mf', extras=['gm', 'gf', 'c'], req='raa_box', role='adopter', style={'ruled': True, 'sig': 'image', 'pagebreak': True, 'names': 'comma', 'boxes': 'circle'},
        notes='Both of the applicant\'s parents live with them and signed.')
    add('pdf-grandfather-unsigned', 'pdf', apps='f', extras=['gf', 'c'], req='harlow_sw', mods=[('H0', 'unsigned')], style={'ruled': False, 'sig': 'script'},
        notes='The applicant\'s father lives in the household and his signature line is empty: incomplete.')
    add('pdf-sig-nodate', 'pdf', apps='mf', extras=['c'], req='kindred_info', mods=[('A1', 'nodate')], style={'ruled': True, 'sig': 'squiggle'},
        notes='First applicant signed but left the date blank: incomplete; hello@ is not secure.')
    add('pdf-future-year-typo', 'pdf', apps='mf_diff', extras=['c'], req='calder_sw', date=(10, 14), mods=[('A2', 'date', lambda d: d.replace(year=2027))],
        style={'ruled': True, 'sig': 'image'}, notes='Second applicant dated the form in 2027 (a slip for 2026), which is after the mail: treated as incomplete.')
    add('pdf-expired-5-months', 'pdf', apps='f', extras=['ac'], req='isw_btinternet', voice='paragraph', date=(10, 6), sig_days=(150, 160),
        style={'ruled': True, 'sig': 'squiggle', 'sdate': 'mon'}, notes='Everyone signed about five months before the mail: expired.')
    add('pdf-expired-and-unsigned', 'pdf', apps='mf', extras=['ac'], req='isw_yahoo', voice='signed_attached', date=(11, 3), mods=[('A1', 'date', M(days=3, months=4)), ('H0', 'unsigned')],
        style={'ruled': False, 'sig': 'script'}, notes='One signature is over four months old and the adult child has not signed: expired wins over incomplete.')
    add('pdf-3m-and-a-day', 'pdf', apps='ff', extras=['c'], req='bramble_sw', date=(10, 30), mods=[('A1', 'date', M(days=1, months=3))],
        style={'ruled': True, 'sig': 'image', 'sdate': 'long'}, notes='First applicant signed 29 July for a mail of 30 October: three months and a day, expired.')
    add('pdf-exact-3m', 'pdf', apps='mf', extras=[], req='northwold_sw', date=(10, 15), mods=[('A1', 'date', M(months=3)), ('A2', 'date', M(months=3))],
        style={'ruled': False, 'sig': 'squiggle', 'sdate': 'nozero'}, notes='Both signed 15/7 for a mail of 15 October: exactly three calendar months, in date.')
    add('pdf-lodger-elsewhere-mix', 'pdf', apps='mf', extras=['lod', 'ae', 'ce', 'c'], req='sunrise_sw', prev_trust=True,
        style={'ruled': True, 'sig': 'squiggle', 'pagebreak': True, 'boxes': 'circle'}, notes='Lodger signed; an adult child and a child of a previous relationship live elsewhere; previously approved with Elmbury so CHARMS.')
    add('pdf-wrong-family', 'pdf', apps='f', extras=['c'], req='brightpath_info', twist='wrong_family', style={'ruled': True},
        notes='The consent attached is for a different family from the one the covering note asks about.')
    add('pdf-fwd-colleague', 'pdf', apps='mf', extras=['c17'], req='kestrel_sw', voice='fwd_colleague', style={'ruled': True, 'sig': 'image'},
        notes='A colleague at the council forwards the request; the 17-year-old signed; reply goes to the forwarding colleague.')
    add('pdf-fwd-trust', 'pdf', apps='f', extras=['c', 'ae'], req='willow_sw', voice='fwd_trust', style={'ruled': False, 'sig': 'squiggle'},
        notes='Trust business support forwarded it from the general inbox; the requester is the original agency social worker.')
    add('pdf-stepdaughter-omitted', 'pdf', apps='mf_diff', extras=['sgdaughter', 'c'], req='ashby_sw', mods=[('H0', 'omit')],
        style={'ruled': True}, notes='The step-daughter (16+) is listed in the household but missing from the signature table: incomplete.')
    add('pdf-urgent-ok', 'pdf', apps='mf', extras=['c'], req='bracken_box', urgent=True, style={'ruled': True, 'sig': 'squiggle', 'dob': 'dot', 'sdate': 'dot'},
        notes='Urgent placement request; both applicants signed last week.', sig_days=(3, 8))
    # ---------- scans (16)
    sc = lambda src, img, rot=0, skew=1.2, hw=True, dpi=150, hand='dkg', **k: dict(source=src, image=img, rotation=rot, skew=skew, handwritten_dates=hw, dpi=dpi, hand=hand if hw else None, **k)
    add('scan-copier-pdf-ok', 'scan', apps='mf', extras=['c'], req='kestrel_sw', scan=sc('copier', 'pdf', skew=1.1), style={'ruled': True, 'sig': 'squiggle'},
        notes='Copier scan as an image-only PDF, handwritten entries, all signed.')
    add('scan-copier-pdf-rot90', 'scan', apps='f', extras=['ac'], req='northwold_box', voice='one_line', scan=sc('copier', 'pdf', rot=90, skew=0.7, hand='breip'), style={'ruled': True, 'sig': 'squiggle'},
        notes='Scanned sideways (page rotated 90 degrees); adult child signed.')
    add('scan-copier-pdf-upside', 'scan', apps='mf', extras=['c', 'c'], req='raa_box', scan=sc('copier', 'pdf', rot=180, skew=2.2, hand='femke'), style={'ruled': True, 'sig': 'squiggle', 'sdate': 'slash2'},
        notes='Scanned upside down; both applicants signed.')
    add('scan-copier-pdf-2page-unsigned', 'scan', apps='mf', extras=['ac', 'c'], req='calder_sw', mods=[('H0', 'unsigned')], scan=sc('copier', 'pdf', skew=0.5, dpi=200),
        style={'ruled': True, 'sig': 'squiggle', 'pagebreak': True}, notes='Two-page copier scan; the adult child\'s signature cell is empty: incomplete.')
    add('scan-copier-pdf-typed', 'scan', apps='ff', extras=['c'], req='wyvern_sw', scan=sc('copier', 'pdf', skew=1.8, hw=False), style={'ruled': True, 'sig': 'image'},
        notes='Scan of a typed form with signature images; dates typed.')
    add('scan-copier-jpeg-messy', 'scan', apps='mf', extras=['c'], req='brightpath_info', mods=[('A2', 'messy')], scan=sc('copier', 'jpeg', skew=1.4, hand='breip'),
        style={'ruled': True, 'sig': 'squiggle', 'sdate': 'slash2', 'names': 'caps'}, notes='Copier JPEG; the second applicant wrote the date very messily (a careful reader still makes it out) and it is recent.')
    add('scan-copier-jpeg-expired', 'scan', apps='f', extras=['c'], req='isw_gmail', voice='signed_attached', date=(12, 1), sig_days=(100, 110),
        scan=sc('copier', 'jpeg', skew=2.8), style={'ruled': True, 'sig': 'squiggle'}, urgent=True, notes='Urgent, but the copier JPEG (steep skew) shows a handwritten date over three months old: expired.')
    add('scan-copier-jpeg-lodger', 'scan', apps='m', extras=['lod'], req='sunrise_sw', scan=sc('copier', 'jpeg', skew=0.9, hand='femke'), style={'ruled': False, 'sig': 'squiggle'},
        notes='Single male applicant with a lodger, both signed; alignment-only layout scanned.')
    add('scan-copier-png-nodate', 'scan', apps='mf', extras=[], req='harlow_sw', mods=[('A2', 'nodate')], scan=sc('copier', 'png', skew=1.0), style={'ruled': True, 'sig': 'squiggle'},
        notes='PNG scan; second applicant signed but wrote no date: incomplete.')
    add('scan-copier-png-rot270', 'scan', apps='mf_diff', extras=['c'], req='bramble_sw', scan=sc('copier', 'png', rot=270, skew=0.6, hand='breip'), style={'ruled': True, 'sig': 'squiggle'},
        notes='PNG scan rotated 270 degrees; both signed.')
    add('scan-copier-tiff-ok', 'scan', apps='mf', extras=['gm', 'c'], req='northwold_sw', scan=sc('copier', 'tiff', skew=0.8, dpi=200), style={'ruled': True, 'sig': 'squiggle', 'pagebreak': True, 'boxes': 'circle'},
        notes='Two-page black-and-white fax-style TIFF; grandmother signed too.')
    add('scan-copier-tiff-messy-future', 'scan', apps='f', extras=['c'], req='ashby_sw', date=(10, 12), mods=[('A1', 'date', FUT(20)), ('A1', 'messy')],
        scan=sc('copier', 'tiff', skew=1.5, hand='breip', dpi=200), style={'ruled': True, 'sig': 'squiggle', 'sdate': 'slash'},
        notes='TIFF; the only signature date is messy and reads as a date after the mail: incomplete.')
    add('scan-phone-jpeg-ok', 'scan', apps='mf', extras=['c', 'c'], req='isw_outlook', voice='paragraph', scan=sc('phone', 'jpeg', skew=3.0, dpi=120, hand='dkg'),
        style={'ruled': True, 'sig': 'squiggle'}, notes='Phone photo (tilt, uneven light) of the form; both applicants signed.')
    add('scan-phone-jpeg-s16', 'scan', apps='mf', extras=['s16'], req='kestrel_sw', mods=[('H0', 'unsigned')], scan=sc('phone', 'jpeg', skew=-2.0, dpi=120, hand='femke'),
        style={'ruled': True, 'sig': 'squiggle'}, notes='Phone photo; the daughter is 16 on the day of the mail and her signature cell is empty: incomplete.')
    add('scan-phone-jpeg-ae', 'scan', apps='f', extras=['ae', 'c'], req='oakleaf_admin', scan=sc('phone', 'jpeg', skew=2.5, dpi=110, hand='breip', q=70),
        style={'ruled': True, 'sig': 'squiggle'}, notes='Phone photo; adult child lives elsewhere and need not sign.')
    add('scan-phone-heic', 'scan', apps='mf', extras=['c'], req='isw_gmail', voice='one_line', scan=sc('phone', 'heic', skew=1.7, dpi=120, hand='dkg'),
        style={'ruled': True, 'sig': 'squiggle'}, notes='iPhone HEIC photo of the form from an ISW on webmail; both signed.')
    # ---------- others (4)
    add('odt-couple-ok', 'odt', apps='mf', extras=['c'], req='wyvern_sw', style={}, notes='OpenDocument text form, typed signatures and dates.')
    add('rtf-single-adultchild', 'rtf', apps='f', extras=['ac'], req='isw_btinternet', voice='signed_attached', style={'sdate': 'ord'}, notes='Hand-written RTF form; applicant and adult child typed their names as signatures.')
    add('encrypted-pdf', 'encrypted', apps='mf', extras=['c'], req='calder_sw', style={'ruled': True}, notes='The consent PDF is password-protected and cannot be read: treated as missing.')
    add('damaged-docx', 'damaged', apps='mf', extras=['c'], req='willow_sw', voice='signed_attached', style={}, notes='The attached Word file is truncated and will not open: missing.')
    # ---------- no form / not a form (6)
    add('noattach-signed-claim', 'none', apps='mf', extras=['c'], req='kestrel_sw', voice='paragraph', notes='Covering note says signed consent is attached, but nothing is attached.')
    add('noattach-html', 'none', apps='f', extras=[], req='bracken_box', voice='html_only', notes='HTML-only Outlook mail claiming consent attached, with no attachment.')
    add('referral-letter-only', 'not_a_form', apps='f', extras=['c'], req='bramble_rec', voice='signed_attached', att_kind='letter', notes='Only a referral letter is attached, no consent form.')
    add('photo-only', 'not_a_form', apps='mf', extras=[], req='isw_yahoo', voice='paragraph', att_kind='photo', notes='Only a photo of a house is attached, no consent form.')
    add('formf-extract-only', 'not_a_form', apps='mf', extras=['ac'], req='sunrise_sw', voice='paragraph', att_kind='formf', notes='A Form F extract is attached instead of the consent form.')
    add('logo-only', 'not_a_form', apps='m', extras=[], req='harlow_sw', voice='signed_attached', att_kind='logo', notes='Only the sender\'s signature logo (image001.png) is attached.')
    return C


def label(c, att_name):
    mail = c.date.date()
    if c.fmt in ('none',):
        form = None
    else:
        form = {'file': att_name, 'format': {'scan': 'scan'}.get(c.fmt, c.fmt), 'scan': None, 'people': [], 'covering_note_disagrees': c.disagree}
    people, consent, signed_on = judge(c)
    readable = c.fmt in ('docx', 'pdf', 'scan', 'odt', 'rtf')
    if readable:
        form['people'] = people
        if c.scan:
            form['scan'] = {k: c.scan[k] for k in ('source', 'image', 'rotation', 'skew', 'handwritten_dates', 'dpi')}
    else:
        consent, signed_on = 'missing', None
        if form and c.fmt == 'not_a_form':
            form['covering_note_disagrees'] = True
    if c.disagree and c.note_A is not None:   # wrong family's form
        consent, signed_on = 'missing', None
    # lists: the people the request is about (the mail's people when the form is the wrong family's)
    A = c.note_people() if c.note_A is not None else c.A
    H = c.note_household() if c.note_A is not None else c.H
    dob_src = (lambda p: p.dob) if c.note_A is not None else (lambda p: c.form_dob.get(id(p), p.dob))
    over = [p.lname for p in H if age_on(p.dob, mail) >= 16]
    under = [p.lname for p in H if age_on(p.dob, mail) < 16]
    dobs = {}
    if readable or c.note_dobs and c.voice not in ('one_line', 'signed_attached'):
        for p in A + H:
            if readable or c.note_dobs:
                dobs[p.lname] = dob_src(p).isoformat()
    if not readable:
        # only what the mail itself says
        if c.voice in ('one_line', 'signed_attached'):
            dobs = {}
            H_over, H_under = [], []
        else:
            dobs = {p.lname: p.dob.isoformat() for p in A + H} if c.note_dobs else {}
    if c.note_A is not None:
        dobs = {p.lname: p.dob.isoformat() for p in A + H} if (c.note_dobs and c.voice not in ('one_line', 'signed_attached')) else {}
    req_addr = c.req[1] if c.voice != 'fwd_colleague' else c.fw_from[1]
    secure = c.req[3]
    prevt = bool(c.prev_trust)
    drafts = []
    if consent in ('ok', 'undated'):
        if not secure:
            drafts.append('secure_address_challenge')
        drafts.append('lado_check_request')
        if prevt:
            drafts.append('charms_check_request')
    else:
        drafts = ['resubmission_request']
    household_known = readable or c.voice not in ('one_line', 'signed_attached')
    lab = {'kind': 'ola_request', 'urgent': bool(c.urgent), 'applicants': [p.name for p in A],
           'household_over_16': over if household_known else [], 'household_under_16': under if household_known else [],
           'household_age_unknown': [], 'dates_of_birth': dobs, 'consent': consent, 'consent_signed_on': signed_on,
           'requester_address': req_addr, 'requester_secure': secure, 'previously_fostered_or_adopted': prevt,
           'fostered_elsewhere': bool(c.prev_else), 'expected_drafts': drafts, 'partner': None, 'referral': None,
           'form': form, 'notes': c.notes}
    return lab


def main():
    made = []
    for c in cases():
        r = rng_for('att' + c.id)
        base = re.sub(r"[\W_]", "", c.A[0].sur)
        fams = "_".join(re.sub(r"[\W_]", "", p.sur) for p in c.A) if len(set(p.sur for p in c.A)) > 1 else base
        atts = []
        if c.fmt == 'docx':
            atts.append((r.choice([f'LA checks consent - {fams}.docx', f'Consent_form_{fams}_signed.docx', f'{fams} consent to checks.docx', f'Statutory checks consent {fams}.docx']), CT['docx'], build_docx(c)))
        elif c.fmt == 'pdf':
            data = build_pdf_acro(c) if c.style.get('acro') else build_pdf_flow(c)
            atts.append((r.choice([f'{fams}_LA_checks_consent.pdf', f'Consent for checks - {fams}.pdf', f'SIGNED consent {fams}.pdf', f'{fams} - checks consent form.pdf']), CT['pdf'], data))
        elif c.fmt == 'scan':
            img = c.scan['image']
            data = build_scan(c)
            nm = {'pdf': f'Scan_{c.date.strftime("%Y%m%d")}_{r.randint(100000, 999999)}.pdf', 'jpeg': f'IMG_{r.randint(1000, 9999)}.jpg' if c.scan['source'] == 'phone' else f'scan{r.randint(100, 999)}.jpg',
                  'png': f'{fams}_consent_scan.png', 'tiff': f'FAX_{fams}_{r.randint(1000, 9999)}.tif', 'heic': f'IMG_{r.randint(1000, 9999)}.HEIC'}[img]
            atts.append((nm, CT['pdf'] if img == 'pdf' else CT[img], data))
        elif c.fmt == 'odt':
            atts.append((f'consent form {fams}.odt', CT['odt'], build_odt(c)))
        elif c.fmt == 'rtf':
            atts.append((f'Consent_{fams}.rtf', CT['rtf'], build_rtf(c)))
        elif c.fmt == 'encrypted':
            b = io.BytesIO()
            src = build_pdf_flow(c)
            # re-make with encryption: reportlab encrypts at build time
            enc = StandardEncryption('Elm-' + base[:4], ownerPassword='owner-' + c.id, canPrint=1, strength=128)
            b = io.BytesIO()
            d = SimpleDocTemplate(b, pagesize=A4, encrypt=enc, invariant=1)
            story = [Paragraph(esc(c.form_title), pst(15, 'DVB')), Spacer(1, 5 * mm)]
            for p in c.A:
                story.append(Paragraph(esc(f'Applicant: {p.name}, DOB {dob_text(c, p)}'), pst(10)))
            for p in c.H:
                story.append(Paragraph(esc(f'Household: {p.plain}, DOB {dob_text(c, p)}, {p.rel}'), pst(10)))
            story += [Spacer(1, 4 * mm), Paragraph(esc(c.decl), pst(9))]
            for p in signers(c):
                story.append(Paragraph(esc(f'Signed: {p.plain}    Date: {sig_date_text(c, p)}'), pst(10)))
            d.build(story)
            atts.append((f'{fams} consent (password protected).pdf', CT['pdf'], b.getvalue()))
        elif c.fmt == 'damaged':
            full = build_docx(c)
            atts.append((f'Consent_{fams}.docx', CT['docx'], full[:int(len(full) * 0.45)]))
        elif c.fmt == 'not_a_form':
            if c.att_kind == 'letter':
                atts.append((f'Referral letter {fams}.pdf', CT['pdf'], referral_letter_pdf(c)))
            elif c.att_kind == 'photo':
                atts.append(('IMG_20261004_141122.jpg', 'image/jpeg', photo_jpeg(c)))
            elif c.att_kind == 'formf':
                atts.append((f'Form F section A - {fams}.docx', CT['docx'], formf_extract_docx(c)))
            elif c.att_kind == 'logo':
                atts.append(('image001.png', 'image/png', logo_png(c)))
        eml = build_mail(c, atts)
        lab = label(c, atts[0][0] if atts else None)
        with open(os.path.join(OUT, c.id + '.eml'), 'wb') as f:
            f.write(eml)
        with open(os.path.join(OUT, c.id + '.json'), 'w', encoding='utf-8') as f:
            json.dump(lab, f, indent=2, ensure_ascii=False)
            f.write('\n')
        made.append((c.id, c.fmt, lab['consent'], atts[0][0] if atts else '-'))
        print(c.id, c.fmt, lab['consent'], len(eml))
    return made


if __name__ == '__main__':
    main()
