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

# makemore's names.txt: lowercase names, one a line.
mm = random.Random(3)
all_parts = " ".join(syllables.values()).split()
with open(os.path.join(here, "names.txt"), "w") as f:
    for _ in range(3000):
        f.write("".join(mm.choice(all_parts) for _ in range(mm.randint(2, 4))) + "\n")

# English-French pairs (tab-separated, English first) for the seq2seq tutorial. The
# French sentences the tutorial translates at its end are included, so every word it
# looks up exists.
subjects = [
    ("i am", "je suis"),
    ("he is", "il est"),
    ("she is", "elle est"),
    ("you are", "vous etes"),
    ("we are", "nous sommes"),
    ("they are", "ils sont"),
]
adjectives = [
    ("cold", "froid"),
    ("tired", "fatigue"),
    ("happy", "heureux"),
    ("too small", "trop petit"),
    ("too cold", "trop froid"),
    ("young", "jeune"),
    ("busy", "occupe"),
    ("very sad", "tres triste"),
    ("not afraid", "pas effraye"),
    ("a teacher", "un professeur"),
    ("at home", "a la maison"),
]
pairs = [
    ("she is five years younger than me.", "elle a cinq ans de moins que moi."),
    ("she is too short.", "elle est trop petit."),
    ("i am not scared of dying.", "je ne crains pas de mourir."),
    ("he is a talented young director.", "c'est un jeune directeur plein de talent."),
    ("i am too cold.", "je suis trop froid."),
]
pr = random.Random(4)
for _ in range(400):
    (es, fs), (ea, fa) = pr.choice(subjects), pr.choice(adjectives)
    pairs.append((f"{es} {ea}{pr.choice('.!')}", f"{fs} {fa}."))
pairs.append(("Go.", "Va !"))  # filtered out by the tutorial's prefix rule, as most real pairs are
with open(os.path.join(here, "eng-fra.txt"), "w") as f:
    for e, fr in pairs:
        f.write(f"{e[0].upper()}{e[1:]}\t{fr[0].upper()}{fr[1:]}\n")
