#!/usr/bin/env python3
"""Draws the three sample references `r2v-studio --demo` starts with: a musician,
a guitar and a cafe, as simple flat illustrations (512x512 PNG).

Needs Pillow (pip install pillow). The outputs are committed; run this only to change them.
"""
import os
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
S = 512


def gradient(top, bottom):
    img = Image.new("RGB", (S, S))
    d = ImageDraw.Draw(img)
    for y in range(S):
        t = y / (S - 1)
        d.line([(0, y), (S, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    return img


def musician():
    img = gradient((255, 214, 170), (240, 150, 120))
    d = ImageDraw.Draw(img)
    d.ellipse((186, 70, 326, 210), fill=(90, 60, 45))          # hair
    d.ellipse((196, 92, 316, 212), fill=(246, 205, 170))        # face
    d.ellipse((228, 138, 242, 152), fill=(40, 30, 30))
    d.ellipse((270, 138, 284, 152), fill=(40, 30, 30))
    d.arc((236, 160, 276, 190), 20, 160, fill=(160, 60, 60), width=4)
    d.rounded_rectangle((150, 220, 362, 470), 60, fill=(52, 86, 140))   # jacket
    d.polygon([(256, 220), (226, 300), (286, 300)], fill=(236, 236, 236))  # shirt
    d.rectangle((150, 470, 362, 512), fill=(60, 60, 70))
    return img


def guitar():
    img = gradient((210, 235, 250), (150, 190, 230))
    d = ImageDraw.Draw(img)
    d.rectangle((243, 40, 269, 260), fill=(110, 70, 40))          # neck
    d.rounded_rectangle((232, 20, 280, 70), 10, fill=(80, 50, 30))  # head
    d.ellipse((166, 220, 346, 390), fill=(200, 120, 50))          # upper body
    d.ellipse((146, 320, 366, 500), fill=(210, 130, 55))          # lower body
    d.ellipse((226, 330, 286, 390), fill=(60, 35, 20))            # sound hole
    d.rectangle((216, 430, 296, 446), fill=(70, 40, 25))          # bridge
    for x in (249, 254, 259, 264):
        d.line([(x, 60), (x, 438)], fill=(235, 235, 235), width=1)
    return img


def cafe():
    img = gradient((120, 170, 220), (250, 220, 180))
    d = ImageDraw.Draw(img)
    d.rectangle((60, 170, 452, 470), fill=(245, 238, 225))        # front
    d.polygon([(40, 170), (472, 170), (430, 110), (82, 110)], fill=(190, 60, 60))  # awning
    for i in range(6):
        x = 82 + i * 58
        d.polygon([(x, 110), (x + 29, 110), (x + 22, 170), (x - 7, 170)], fill=(245, 245, 245))
    d.rectangle((100, 220, 240, 360), fill=(140, 190, 220))       # window
    d.line([(170, 220), (170, 360)], fill=(245, 238, 225), width=6)
    d.rectangle((290, 240, 400, 470), fill=(120, 80, 50))         # door
    d.ellipse((380, 350, 392, 362), fill=(230, 200, 80))
    d.rectangle((60, 470, 452, 512), fill=(110, 110, 110))
    return img


for name, draw in (("musician", musician), ("guitar", guitar), ("cafe", cafe)):
    path = os.path.join(HERE, f"{name}.png")
    draw().save(path, optimize=True)
    print(path, os.path.getsize(path))
