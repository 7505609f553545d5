"""The words the lookup knows besides the scripts' own ``phrases``: abbreviations and slang,
small words that carry no meaning, and the cues that say who the other person was or that
the client's condition or age may be behind what happened.

Cues decide the *pathway* and the *person* (a risk cue always puts the risk pathway first);
the scripts' phrases decide the *category* and the *act*. Every entry here is a plain word
or phrase, matched on whole words after the same cleaning as what was typed.
"""

from __future__ import annotations

import re

from bot.content.situations import Condition

# Typed shorthand → what it stands for (whole words only).
ABBREVIATIONS: dict[str, str] = {
    "pt": "patient", "pts": "patient", "ppt": "patient", "pnt": "patient", "cl": "client",
    "fb": "facebook", "insta": "instagram", "ig": "instagram", "snap": "snapchat", "sc": "snapchat",
    "dm": "message", "dms": "message", "dmd": "message", "dm'd": "message", "pm": "message",
    "pmd": "message", "msg": "message", "msgs": "message", "txt": "text", "txts": "text",
    "texted": "text", "sext": "sexting", "wa": "whatsapp", "req": "request", "reqs": "request",
    "ed": "emergency department", "a&e": "emergency department", "er": "emergency department",
    "bp": "blood pressure", "obs": "observations", "appt": "appointment", "appts": "appointment",
    "sesh": "session", "wkend": "weekend", "wknd": "weekend", "num": "number", "no.": "number",
    "mob": "mobile", "ur": "your", "u": "you", "im": "i am", "ive": "i have", "hes": "he is",
    "shes": "she is", "dont": "do not", "doesnt": "does not", "wont": "will not", "cant": "can not",
    "ld": "learning disability", "lds": "learning disability", "yo": "year old", "yr": "year",
    "yrs": "year", "y/o": "year old", "b/c": "because", "bc": "because", "coz": "because",
    "chocs": "chocolates", "pic": "picture", "pics": "picture", "nudes": "naked picture",
    "d*ck": "penis", "dick": "penis", "c*ck": "penis", "boobs": "breast", "tits": "breast",
    "bum": "bottom", "butt": "bottom", "arse": "bottom", "ass": "bottom", "bf": "boyfriend",
    "gf": "girlfriend", "mum": "mother", "mom": "mother", "mam": "mother", "dad": "father",
    "hubby": "husband", "misses": "wife", "missus": "wife", "coworker": "colleague",
    "co-worker": "colleague", "workmate": "colleague", "mates": "friends", "mate": "friend",
    "mh": "mental health", "sh": "self harm", "od": "overdose", "dx": "diagnosis",
    "lol": "", "omg": "", "pls": "please", "plz": "please", "tho": "though", "esp": "especially",
    "p*ki": "racist slur", "paki": "racist slur", "n*gger": "racist slur", "f*g": "homophobic slur",
    "fag": "homophobic slur", "tranny": "transphobic slur", "wolf-whistled": "wolf whistle",
    "chatting": "chat", "fancies": "fancy", "fancied": "fancy", "xx": "kisses", "xxx": "kisses",
    "prettiest": "pretty", "hottest": "hot", "sexiest": "sexy", "held": "hold", "cuddled": "hugged",
    "cuddle": "hug", "cuddles": "hug", "snogged": "kissed", "snog": "kiss", "knew": "know",
}

# Phrases rewritten before the words are read (regular expressions on cleaned text).
REWRITES: tuple[tuple[str, str], ...] = (
    (r"\bin (?:her|his|their|my|your) will\b", " testament "),
    (r"\bcounter[ -]transference\b", " countertransference "),
    (r"\bin bed\b", " sex "),
    (r"[£$€]\s*\d[\d,.]*|\b\d[\d,.]*\s*(?:quid|pounds|dollars|bucks|euros)\b", " money "),
)

# Small words that carry no meaning for the lookup.
STOPWORDS = frozenset((
    "a", "an", "the", "to", "of", "on", "in", "at", "for", "and", "or", "is", "was", "were", "be",
    "been", "being", "it", "its", "this", "that", "these", "those", "my", "me", "i", "im", "he",
    "she", "they", "them", "their", "his", "her", "him", "you", "your", "we", "us", "our", "with",
    "by", "from", "about", "as", "just", "so", "keeps", "keep", "kept", "has", "have", "had", "did",
    "do", "does", "doing", "am", "are", "will", "would", "can", "could", "should", "may", "might",
    "client", "patient", "clients", "patients", "s", "m", "d", "ll", "re", "ve", "t", "very",
    "really", "again", "always", "also", "still", "then", "than", "there", "here", "what", "when",
    "who", "whom", "which", "how", "all", "any", "some", "one", "get", "got", "getting", "gets",
    "made", "make", "makes", "making", "said", "say", "says", "saying", "told", "tell", "tells",
    "went", "go", "goes", "going", "come", "came", "thing", "things", "something", "today",
    "yesterday", "now", "bit", "lot",
))

# Cues that the behaviour may come from the client's condition or age.
CONDITION_CUES: dict[Condition, tuple[str, ...]] = {
    Condition.SELF_HARM: (
        "suicide", "suicidal", "kill himself", "kill herself", "kill themselves", "kill myself",
        "self harm", "self-harm", "selfharm", "end it all", "end his life", "end her life",
        "end their life", "take his own life", "take her own life", "overdose", "cut herself",
        "cut himself", "cut themselves", "hurt himself", "hurt herself", "hurt themselves",
        "harm himself", "harm herself", "better off dead", "wants to die", "want to die", "rather be dead", "rather die", "be dead",
        "jump off", "hang himself", "hang herself",
    ),
    Condition.COGNITIVE: (
        "dementia", "alzheimer", "alzheimers", "confused", "confusion", "delirium", "delirious",
        "brain injury", "head injury", "sundowning", "disorientated", "disoriented", "cognitive",
    ),
    Condition.LEARNING_DISABILITY: (
        "learning disability", "learning disabilities", "learning difficulty",
        "learning difficulties", "learning disabled", "down syndrome", "downs syndrome",
        "intellectual disability",
    ),
    Condition.MENTAL_HEALTH: (
        "psychosis", "psychotic", "manic", "mania", "hearing voices", "delusional", "delusion",
        "delusions", "bipolar", "schizophrenia", "schizophrenic", "mental health crisis",
        "in crisis", "paranoid",
    ),
    Condition.INTOXICATION: (
        "drunk", "intoxicated", "high on", "off his face", "off her face", "smelled of alcohol",
        "stinking of alcohol", "wasted", "under the influence", "stoned", "on drugs", "alcohol",
        "hammered", "pissed up",
    ),
    Condition.CHILD: (
        "child", "children", "kid", "kids", "teen", "teens", "teenage", "teenager", "adolescent",
        "minor", "young person", "school pupil", "schoolgirl", "schoolboy", "pupil", "year old girl",
        "year old boy",
    ),
}
# Words that say the clinician may be in danger now: the safety line comes first.
DANGER_CUES = (
    "following me", "followed me", "follows me", "following", "stalking", "stalked", "stalker",
    "waiting outside", "waiting for me", "outside my house", "outside my home", "at my home",
    "at my house", "turned up at my", "knows where i live", "threatened", "threatening", "threat",
    "threatens", "kill me", "hurt me", "hit me", "attack", "attacked", "assault", "assaulted",
    "punched", "grabbed me", "pinned", "cornered", "locked in", "won't let me leave",
    "will not let me leave", "knife", "weapon", "gun", "scared", "afraid", "frightened",
    "terrified", "unsafe", "danger", "in danger", "help me", "emergency", "violent", "aggressive",
    "trapped", "my car",
)
# "15 yr old", "14 year old": under 18.
CHILD_AGE = re.compile(r"\b(1[0-7]|[2-9])\s*(?:-\s*)?(?:yr|yrs|year|years|y)\s*(?:-\s*)?(?:/\s*)?o(?:ld)?\b")
# "my kids", "my child's school": the clinician's own family, not the client.
OWN = re.compile(r"\bmy\s+(?:own\s+)?$")

# A client's relative or visitor (not when it is "my" relative).
FAMILY_CUES = (
    "husband", "wife", "son", "daughter", "mother", "father", "brother", "sister", "relative",
    "relatives", "visitor", "visitors", "family member", "family", "partner", "parent",
    "parents", "grandson", "granddaughter", "boyfriend's mother", "in-law", "next of kin", "uncle",
    "aunt", "niece", "nephew", "cousin",
)
# A colleague doing something (not "see my colleagues", which is about the client).
COLLEAGUE_CUES = (
    "colleague", "colleagues", "manager", "consultant", "supervisor", "boss", "registrar",
    "senior nurse", "another nurse", "staff member", "doctor on my team", "nurse on my team",
    "someone i work with", "team leader", "charge nurse", "ward manager", "my senior", "hca i work with",
)
COLLEAGUE_AS_OBJECT = re.compile(
    r"\b(?:see|seeing|with|other|to|by|from|than|for|any of)\s+(?:my\s+|the\s+|other\s+)*(?:colleague|colleagues)\b"
)
