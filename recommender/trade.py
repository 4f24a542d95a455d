"""The words of a brief that speak of the collaboration, not of what the creators post.

query_text.py takes them out of a brief before it is encoded and looked up; these are the
phrases it reads:

* **The trade's words** (TRADE, in both texts): "creators", "campaign", "brand", "UGC",
  "collab", a planner's request verbs, in English and French, with and without accents; and
  how a brief is addressed and signed ("Hi team", "Thanks! Anna": SIGNATURE). Many creators
  write the trade's words in their bios whatever their subject ("UGC creator | brand collabs:
  DM"); as query words they lift creators of every niche, and "Thanks!" pulls towards every
  creator's thank-you post. So do the planner's hurry and its request put as a question or
  a favour ("URGENT", "ASAP", "Please reply", "Which creators would fit this?", "Pouvez-vous
  nous proposer quelques créateurs ?"): "fit" pulled towards fitness creators. A hashtag or a
  hyphenated word keeps them (#brandpartner, brand-new).
* **The deal's labelled terms** (LABELLED): "Timeline: 6 weeks", "Budget: 5k€", "Livrables : 3
  reels", "Tone: warm, funny", "CTA: link in bio", "Site : …": the label and what follows it to
  the end of its sentence ("budget travel" stays); a budget with its amount without the colon
  (BUDGET: "Budget ~£3k"). A form's field names (FIELD: "Product:",
  "Produit :", "Key message:") go, and what follows them stays.
* **The promotion a sponsored post carries** (PROMOTION, a brief only): codes, discounts,
  links, the creator's commission; they pull towards the creators whose posts push codes.
* **Who the brand is** (NAMED, FOUNDED, a brief only): its name after a label, its founding.
* **What the ranker measures itself**, said of the creators wanted (QUALITIES): "authentic
  creators", "an engaged community", "proches de leur communauté".
* **Where the brand is online** (ONLINE): an address, an e-mail, a handle.

alternation() writes a list of phrases as one regular expression that reads a text once.
"""

from __future__ import annotations

import re

from .asked import PEOPLE, PEOPLE_WORD, PLATFORM_NAME
from .lexical.tokens import fold

_EN = """influence campaign campaigns brand brands
collab collabs collaboration collaborations partner partners partnership partnerships ambassador
ambassadors sponsor sponsors sponsored sponsorship sponsorships ugc content audience audiences
follower followers looking seeking need needs want wants promote promoting promotion launch
launching brief wanted needed sought"""
_FR = """campagne campagnes marque marques partenaire partenaires partenariat partenariats
ambassadeur ambassadeurs ambassadrice ambassadrices sponsorisé sponsorisée sponsorisés
sponsorisées contenu contenus abonné abonnés abonnée abonnées cherche cherchons recherche
recherchons recherché recherchée recherchés recherchées veut voulons promouvoir lancement
lancer besoin"""

TRADE_WORDS = frozenset(w for text in (_EN, _FR, " ".join(PEOPLE)) for word in text.split()
                        for w in (word, fold(word)))
# How a brief is addressed and signed, and the terms of the deal: a greeting, a thank-you and
# "deliverables TBD" say nothing of what creators post, and "Thanks!" pulls towards every
# creator's "thank you for 10k" post
_SIGN_OFFS = ("thanks", "thank you", "many thanks", "thanks a lot", "cheers", "best", "regards",
              "best regards", "kind regards", "merci", "merci beaucoup", "cordialement",
              "bien à vous", "bises")
# "best" signs off only at the end ("Best hiking boots" stays)
_COURTESY = (
    *(w for w in _SIGN_OFFS if w != "best"),
    "hi", "hello", "hey", "hi team", "hello team", "hey team", "hi all", "hello all",
    "hi everyone", "hello everyone", "dear team", "deliverable", "deliverables", "tbd", "tbc",
    "bonjour", "salut", "coucou", "bonjour l'équipe", "bonjour l’équipe", "bonjour à tous",
    "salut l'équipe", "salut l’équipe", "livrable", "livrables", "à définir", "à confirmer",
    "quick brief", "short brief", "petit brief", "next quarter", "this quarter", "next month",
    "this month", "le trimestre", "ce trimestre", "prochain trimestre", "le mois prochain",
    "ce mois-ci", "next week", "this week", "la semaine prochaine", "cette semaine",
    # the planner's hurry and its request, asked as a question or a favour: "URGENT: …",
    # "Please reply by Friday!", "Which creators would fit this?", "Pouvez-vous nous proposer
    # quelques créateurs ?" ("fit" pulled towards fitness creators)
    "asap", "a.s.a.p.", "please", "pls", "svp", "s'il vous plaît", "s’il vous plaît",
    "s'il te plaît", "s’il te plaît", "thanks in advance", "merci d'avance", "merci d’avance",
    "please reply", "reply", "please let us know", "let us know", "let me know",
    "get back to us", "get back to me", "merci de répondre", "merci de nous répondre",
    "merci de revenir vers nous", "au plus vite", "dès que possible", "ideally", "idéalement",
    # ("jeans that would fit every body" keeps its "fit")
    "would fit this", "would fit us", "could fit this", "would suit this", "would suit us",
    "who would fit", "who could fit", "which creators would fit", "what creators would fit",
    "which influencers would fit", "would be a good fit", "would be a fit",
    "could you suggest", "can you suggest", "could you recommend", "can you recommend",
    "please suggest", "please recommend", "any suggestions", "any recommendations",
    "conviendraient", "conviendrait", "pourraient convenir", "pourrait convenir",
    "pouvez-vous proposer", "pouvez-vous nous proposer", "pourriez-vous proposer",
    "pourriez-vous nous proposer", "pouvez-vous recommander", "pouvez-vous nous recommander",
    "pourriez-vous nous recommander", "tu peux proposer", "tu peux me proposer",
    "tu peux nous proposer", "vous pouvez nous proposer", "quelques")
# A brief's labelled terms ("Timeline: 6 weeks", "Budget: 5k€", "Livrables : 3 reels"): the
# label and what follows it to the end of its sentence
_LABELS = ("timeline", "timing", "dates", "deadline", "deliverables", "budget", "fee", "fees",
           "compensation", "payment", "rate", "rates", "usage", "usage rights", "exclusivity",
           "contract", "duration", "period", "schedule", "posting schedule", "start date",
           "end date", "launch date", "contact", "kpi", "kpis", "metrics", "reporting",
           "format", "formats", "platform", "platforms", "location", "calendrier", "planning",
           "délai", "délais", "date limite", "échéance", "livrables", "rémunération", "tarif",
           "tarifs", "paiement", "droits", "droits d'utilisation", "droits d’utilisation",
           "exclusivité", "contrat", "durée", "période", "plateforme", "plateformes", "lieu",
           # what the sponsored post must say or sound like, not what the creators post
           "cta", "call to action", "call-to-action", "calls to action", "mandatories",
           "mandatory", "hashtags", "mentions", "mentions obligatoires", "obligatoire",
           "obligatoires", "tone", "tone of voice", "tonality", "ton", "tonalité", "code",
           "promo code", "discount code", "coupon code", "code promo", "code de réduction",
           "commission", "commissions",
           # where the brand is online: the address follows
           "site", "website", "web", "site web", "site internet", "url", "link", "links",
           "lien", "liens", "more info", "more information", "plus d'infos", "plus d’infos",
           "plus d'informations", "plus d’informations", "infos", "email", "e-mail", "mail")
# A budget with its amount, written without a label's colon ("Budget ~£3k", "budget of
# £3,000", "total budget 5k€", "budget d'environ 5 000 €"): the deal's, as "Budget: 5k€" is.
# "budget travel" and "a budget app" stay: no amount follows.
_AMOUNT = (r"(?:[£$€]\s?\d[\d,. ]*\d?\s?(?:k|m)?(?![\w])"
           r"|\d[\d,. ]*\d?\s?(?:k|m)?\s?(?:€|£|\$|eur|euros?|gbp|usd|dollars?|pounds?)(?![\w]))")
BUDGET = re.compile(
    r"(?<![\w#@-])(?:(?:total|overall|our|the|a|le|notre|un)\s+)?budget\s*"
    r"(?:(?:of|is|around|about|approx\.?|approximately|up\s+to|max(?:imum)?|under|below|"
    r"de|d['’]|environ|autour\s+de|jusqu['’]\s*[àa])\s*){0,3}"
    r"[~≈]?\s*" + _AMOUNT, re.IGNORECASE)
# Who the brand is, which is no subject of the creators': its name after a label ("Client: Oak &
# Ash", "Marque : Maison Lumière", to the end of its clause), and when it was founded and by
# whom ("founded in 2019 by two sisters", "since 1998", "fondée en 2019 par deux sœurs",
# "depuis 1998"). A name is chosen to mean something ("Maison Lumière" is a house and light):
# the encoder read it as a subject. A name without its label stays: nothing tells it apart
# from a subject in title case.
NAMED = re.compile(
    r"(?<![\w#@-])(?:client|brand|brand\s+name|company|advertiser|marque|nom\s+de\s+la\s+marque|"
    r"annonceur|entreprise|soci[ée]t[ée])\s*:(?:(?!\s[-–—]\s)[^,.;:!?\n()\[\]–—|/])*",
    re.IGNORECASE)
# What the brand says it is, when that says nothing of what it sells: a clause that calls it a
# company with no word but its size, age, independence or town ("We are a small Bristol-based
# company", "We're an independent, family-run business", "Nous sommes une jeune entreprise
# lyonnaise"). "We are a vegan skincare brand" keeps "vegan skincare": a word of what it makes
# stops the rule.
_SIZE = (r"(?:small|little|tiny|young|new|independent|indie|family(?:[\s-](?:run|owned))?|local|"
         r"growing|fast[\s-]growing|proud|award[\s-]winning|women[\s-]led|female[\s-]founded|"
         r"(?-i:[A-Z])[\w’'-]*[\s-]based|jeune|petite?|nouvelle|nouveau|ind[ée]pendante?|"
         r"familiale?|locale?)")
_COMPANY = (r"(?:company|business|brand|start[\s-]?up|firm|label|team|shop|store|studio|"
            r"entreprise|marque|soci[ée]t[ée]|maison|[ée]quipe|pme|boutique|atelier)")
# a town's or a country's adjective after a French noun: "lyonnaise", "bretonne", "italienne"
_DEMONYM = r"(?:[^\W\d_]+(?:aise?s?|oise?s?|ienne?s?|aine?s?|onne?s?))"
SELF_DESCRIBED = re.compile(
    rf"(?<![\w#@-])(?:we\s+are|we['’]re|nous\s+sommes|on\s+est)\s+(?:an?|une?)\s+"
    rf"(?:{_SIZE}\s*,?\s*(?:and\s+|et\s+)?){{0,4}}{_COMPANY}(?:\s+{_DEMONYM})?(?![\w-])"
    rf"(?=\s*(?:$|[^\w\s'’]|(?:founded|established|since|based|from|in|fond[ée]e?|depuis|"
    rf"bas[ée]e?|de|du|à)(?![\w-])))", re.IGNORECASE)
FOUNDED = re.compile(
    # with what the brand is, said before its age ("a family business since 1987", "une
    # affaire familiale depuis 1987"); "family business owners" stays
    r"(?<![\w#@-])(?:(?:an?|une?)\s+(?:family(?:[\s-](?:run|owned))?\s+(?:business|company|firm)"
    r"|(?:affaire|entreprise|maison|soci[ée]t[ée])\s+familiale)\s*,?\s+(?=since|est|depuis"
    r"|founded|established|fond[ée]e))?"
    r"(?:(?:founded|established|created|started|born)\s+(?:back\s+)?in\s+\d{4}"
    r"(?:\s+by\s+[^,.;:!?\n()]*)?|since\s+\d{4}|est\.?\s+\d{4}"
    r"|(?:fond[ée]e?s?|cr[ée][ée]e?s?|n[ée]e?s?)\s+en\s+\d{4}(?:\s+par\s+[^,.;:!?\n()]*)?"
    r"|depuis\s+(?:\d{4}|(?:plus\s+de\s+)?\d+\s+ans))(?![\w-])", re.IGNORECASE)

# What the ranker measures on its own, said of the creators wanted: "authentic creators",
# "créateurs authentiques", "an engaged community", "close to their audience", "proches de
# leur communauté". The authenticity and engagement components read it from the creators'
# figures and flags; as words they point the brief at posts about community and followers.
# A value stays: "authenticity", "honest reviews", "une communauté engagée pour le climat".
_GENUINE = (r"(?:authentic|genuine|credible|trusted|trustworthy|relatable|real|"
            r"authentiques?|cr[ée]dibles?|sinc[èe]res?|vrais?|vraies?)")
_GENUINES = rf"{_GENUINE}(?:\s*(?:,|and|&|et)\s*{_GENUINE}){{0,3}}"
_WANTED = rf"{PEOPLE_WORD}|profiles|profils"
_COMMUNITY = (r"(?:communit(?:y|ies)|audiences?|following|followers|fanbase|"
              r"communaut[ée]s?|abonn[ée]e?s)")
_ENGAGED = (r"(?:engaged|highly\s+engaged|loyal|real|strong|active|tight-knit|trusting|"
            r"fid[èe]les?|engag[ée]e?s?|vraies?|fortes?|soud[ée]e?s?|actives?)")
QUALITIES = re.compile(
    rf"(?<![\w#@-])(?:{_GENUINES}\s+(?:{_WANTED})|(?:{_WANTED})\s+{_GENUINES}"
    rf"|(?:(?:with|avec)\s+)?(?:(?:an?|une|des|their|leur|leurs)\s+)?"
    rf"(?:{_ENGAGED}\s+{_COMMUNITY}"
    rf"|{_COMMUNITY}\s+{_ENGAGED}(?!\s+(?:pour|dans|en|contre|for|in)\b))"
    rf"|(?:real|true|genuine|vraie|r[ée]elle)\s+(?:engagement|proximit[ée])"
    rf"|(?:close\s+to|proches?\s+de|proximit[ée]\s+avec)\s+(?:their|its|leur|leurs|sa|son)"
    rf"\s+{_COMMUNITY})(?![\w-])", re.IGNORECASE)

# Where the brand is online: an address ("https://oakandash.com/refill", "www.…",
# "oakandash.com"), an e-mail, a handle ("@oakandash", "IG @oakandash"). An identifier, not
# what creators post: the encoder reads "oakandash.com" as words of its own.
# (An address starts where its run of word characters and dots starts, and its parts are
# bounded: "a.a.a.…" of 20,000 characters is read in one pass, not once from each dot.)
ONLINE = re.compile(
    r"(?<![\w@])(?:https?://\S+|www\.\S+)"
    r"|(?<![\w.@+-])(?:[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
    r"|[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}"
    r"\.(?:com|fr|co\.uk|uk|io|net|org|shop|store|eu|be|ch|ca|de|co)(?:/\S*)?(?![\w-]))"
    rf"|(?<![\w@])(?:(?:{PLATFORM_NAME})\s*:?\s*)?@[\w.]{{0,64}}\w", re.IGNORECASE)
# The promotion a sponsored post carries, wherever a brief writes it: a code ("use code
# GREEN20", "code promo VERT20"), a discount ("20% off", "-20 %", "on the first order",
# "free shipping"), a link ("link in bio", "lien en bio", "swipe up", "affiliate link"), the
# creator's commission. They describe the post to be made and the deal, and pull towards the
# creators whose posts push codes and discounts. "100% organic" and "70% less plastic" stay.
_CODE_VALUE = r"(?-i:[A-Z0-9][A-Z0-9_-]*[0-9A-Z]{2,})"  # GREEN20, VERT-20: capitals or digits
_USE = r"(?:use|using|with|avec|utilisez|utilise|utiliser)\s+"
_FIRST = (r"(?:\s+(?:on\s+)?(?:the|your)\s+first\s+(?:order|purchase|box)"
          r"|\s+sur\s+(?:la|votre|ta)\s+premi[èe]re\s+(?:commande|box))?")
PROMOTION = re.compile(
    rf"(?<![\w#@-])(?:(?:{_USE})?(?:(?:the|a|my|our|your|le|un|mon|notre|votre|ton)\s+)?"
    rf"(?:(?:discount|promo(?:tional)?|coupon|affiliate|referral|voucher)\s+codes?"
    rf"|codes?\s+(?:promo|de\s+r[ée]duction|de\s+parrainage|affili[ée]s?))"
    rf"(?:\s+{_CODE_VALUE})?"
    rf"|{_USE}(?:the\s+|le\s+)?code\s+{_CODE_VALUE}"
    rf"|(?:up\s+to\s+|jusqu['’]\s*[àa]\s+)?-?\s?\d+(?:[.,]\d+)?\s?%\s*"
    rf"(?:off|discount|de\s+r[ée]duction|de\s+remise){_FIRST}"
    rf"|(?:up\s+to\s+|jusqu['’]\s*[àa]\s+)?-\s?\d+(?:[.,]\d+)?\s?%{_FIRST}"
    rf"|(?:on|off)\s+(?:the|your)\s+first\s+(?:order|purchase|box)"
    rf"|sur\s+(?:la|votre|ta)\s+premi[èe]re\s+commande"
    rf"|link\s+in\s+(?:the\s+|my\s+)?bio|lien\s+(?:en|dans\s+(?:la|ma|sa))\s+bio"
    rf"|swipe\s+up|affiliate\s+links?|liens?\s+affili[ée]s?|free\s+shipping"
    rf"|livraison\s+(?:offerte|gratuite)|free\s+returns|retours?\s+(?:gratuits?|offerts?)"
    rf"|\d+\s?%\s*(?:affiliate\s+)?commissions?|affiliate\s+commissions?"
    rf"|commissions?\s+d['’]\s*affiliation"
    rf"|affiliate\s+program(?:me)?|programme\s+d['’]\s*affiliation)(?![\w-])", re.IGNORECASE)

def alternation(phrases: frozenset[str] | set[str] | tuple[str, ...]) -> str:
    r"""A regular expression that matches any of these phrases, the longest where several
    start alike, with any run of spaces where a phrase has one ("do  not"). Written as the
    phrases' prefix tree ("our(?:\s+brand(?:\s+values)?|\s+values)?"), not as a list of
    alternatives: the expression engine tries a list's every alternative at every position of
    a text, and the framing's hundreds of phrases took 0.65 ms a values statement that way."""
    tree: dict = {}
    for phrase in phrases:
        node = tree
        for token in re.findall(r"\s+|.", phrase, re.DOTALL):
            node = node.setdefault(" " if token.isspace() else token, {})
        node[""] = {}  # a phrase ends here

    def written(node: dict) -> str:
        branches = [(r"\s+" if t == " " else re.escape(t)) + written(child)
                    for t, child in sorted(node.items()) if t]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return written(tree)


# "urgent" is the planner's hurry written in capitals ("URGENT care needed") or as a clause of its
# own ("Urgent: …", "… - urgent!", "Urgent, please"); before a noun it names the subject
# ("Urgent care clinic", "urgent plumbing repairs")
_HURRY = r"(?-i:URGENT)|urgent(?=\s*(?:[:!,.;?()\n]|[-–—]\s|$))"
TRADE = re.compile(rf"(?<![\w#@-])(?:{alternation(TRADE_WORDS | set(_COURTESY))}|{_HURRY})"
                   r"(?![\w-])", re.IGNORECASE)
# a sign-off at the end of a brief, with the name signed after it ("Best regards, Anna")
SIGNATURE = re.compile(rf"(?<![\w#@-])(?:{alternation(_SIGN_OFFS)})\s*[,!.]*\s*"
                        r"(?:(?-i:[A-ZÀ-Ý])[\w’'-]*\s*){0,3}[.!]*\s*$", re.IGNORECASE)
# A brief form's field names ("Product: refill moisturiser", "Produit : ..."): the label goes,
# what follows it stays
_FIELDS = ("product", "products", "produit", "produits", "description", "subject", "sujet",
           "topic", "theme", "thème", "offer", "offre", "project", "projet", "summary",
           "résumé", "overview", "context", "contexte", "background", "about", "à propos",
           "target", "target audience", "target market", "audience", "audience cible",
           "public cible", "public visé", "cœur de cible", "coeur de cible", "cible",
           "key message", "key messages", "message clé", "messages clés")
FIELD = re.compile(rf"(?<![\w#@-])(?:{alternation(_FIELDS)})\s*:", re.IGNORECASE)
LABELLED = re.compile(rf"(?<![\w#@-])(?:{alternation(_LABELS)})\s*:(?:[^.!?\n]|\.(?=\d))*",
                       re.IGNORECASE)
