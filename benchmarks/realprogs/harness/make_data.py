"""Deterministic stand-in data, written beside this script or into
$REALPROGS/data: a Shakespeare-like text, a word corpus shaped like
wikitext-2, and name lists per language."""

import os
import random

rng = random.Random(0)
words = (
    "the king my lord good sir thou thee thy love death night day sweet fair heart "
    "come go hence speak hear what when why now here there shall will not more than "
    "blood crown grace honour noble gentle duke queen prince father mother son brother "
    "sword war peace heaven earth soul life time world eyes hand face tongue"
).split()
names = "ROMEO JULIET KING QUEEN HAMLET FIRST CITIZEN MENENIUS BRUTUS".split()


def para():
    lines = [rng.choice(names) + ":"]
    for _ in range(rng.randint(1, 4)):
        n = rng.randint(5, 11)
        w = [rng.choice(words) for _ in range(n)]
        w[0] = w[0].capitalize()
        lines.append(" ".join(w) + rng.choice([",", ".", "!", "?", ";"]))
    return "\n".join(lines) + "\n\n"


here = os.path.join(os.environ.get("REALPROGS", "/work/scratch/realprogs"), "data")
os.makedirs(here, exist_ok=True)
text = "".join(para() for _ in range(1500))
open(os.path.join(here, "shakespeare.txt"), "w").write(text)
os.makedirs(os.path.join(here, "wikitext-2"), exist_ok=True)
for split, n in (("train", 1200), ("valid", 150), ("test", 150)):
    with open(os.path.join(here, "wikitext-2", split + ".txt"), "w") as f:
        for _ in range(n):
            f.write(" " + " ".join(rng.choice(words) for _ in range(rng.randint(5, 20))) + " . \n")
print(len(text), "chars")

# Name lists per language for the char-RNN tutorials (data/names/<Language>.txt).
syllables = {
    "Russian": "ov ev in ko va sha kh ros lov nik ta mir ya",
    "German": "berg mann stein ler schu hof ner wald bach kel",
    "Spanish": "ez oz ar ra lo san ta mar gar ci do",
    "Chinese": "zh ang li ng wa hu ch en yi ao",
    "English": "son ton ley ham ford wood man er",
    "French": "eau ier ond mar bel lan ette cour",
}
names_rng = random.Random(1)
os.makedirs(os.path.join(here, "names"), exist_ok=True)
for lang, parts in syllables.items():
    with open(os.path.join(here, "names", lang + ".txt"), "w") as f:
        for _ in range(200):
            k = names_rng.randint(2, 3)
            f.write("".join(names_rng.choice(parts.split()) for _ in range(k)).capitalize() + "\n")
italian = random.Random(2)
with open(os.path.join(here, "names", "Italian.txt"), "w") as f:
    for _ in range(200):
        f.write(
            "".join(
                italian.choice("ini elli ucci ano etti ari one".split()) for _ in range(2)
            ).capitalize()
            + "\n"
        )
