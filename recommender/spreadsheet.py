"""Creator lists as they come out of Excel or a vendor's export: the text encoding, the
delimiter and the column names, made into what ingest reads (cells.py reads the values in
them: counts, prices, rates, dates)."""

from __future__ import annotations

import re

# Column names of common exports (and field names of JSON exports), and what they are here
# (compared lower case, with spaces, dashes and dots as underscores, and camelCase split:
# followersCount is followers_count).
ALIASES = {
    "username": "handle", "user_name": "handle", "account": "handle", "screen_name": "handle",
    "follower_count": "followers", "followers_count": "followers", "follower": "followers",
    "nb_followers": "followers", "abonnes": "followers", "abonnés": "followers",
    "country_code": "country", "pays": "country", "lang": "language", "langue": "language",
    "biography": "bio", "description": "bio", "category": "categories", "network": "platform",
    "social_network": "platform", "creator": "creator_id", "post_id": "id", "caption": "text",
    "like_count": "likes", "likes_count": "likes", "comment_count": "comments",
    "comments_count": "comments", "share_count": "shares", "view_count": "views",
    "is_sponsored": "sponsored", "date": "posted_at", "published_at": "posted_at",
    "price": "rate", "fee": "rate", "tarif": "rate", "prix": "rate",
    "timestamp": "posted_at", "created_at": "posted_at", "shares_count": "shares",
    "views_count": "views", "play_count": "views", "video_view_count": "views",
    "is_paid_partnership": "sponsored", "latest_posts": "posts",
    "er": "engagement_rate", "engagement": "engagement_rate",
    "avg_engagement_rate": "engagement_rate", "average_engagement_rate": "engagement_rate",
    "taux_engagement": "engagement_rate", "taux_d_engagement": "engagement_rate",
    # YouTube's subscribers and TikTok's fans are followers; an agency's niche is a category
    "subscribers": "followers", "subscriber_count": "followers",
    "subscribers_count": "followers", "fans": "followers", "fan_count": "followers",
    "nb_abonnes": "followers", "niche": "categories", "niches": "categories",
    # scrapers' exports of posts, a row per post with its author's columns (tables.flat)
    "owner_username": "handle", "author_meta_name": "handle", "author_unique_id": "handle",
    "author_meta_fans": "followers", "owner_followers_count": "followers",
    "digg_count": "likes", "create_time_iso": "posted_at", "taken_at": "posted_at",
    # a French agency's or export's own names
    "pseudo": "handle", "compte": "handle", "réseau": "platform", "reseau": "platform",
    "réseau_social": "platform", "reseau_social": "platform", "plateforme": "platform",
    "légende": "text", "legende": "text", "texte": "text", "j_aime": "likes",
    "commentaires": "comments", "partages": "shares", "vues": "views",
    "sponsorisé": "sponsored", "sponsorise": "sponsored", "date_de_publication": "posted_at",
    "catégorie": "categories", "categorie": "categories", "catégories": "categories",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_DELIMITERS = (",", ";", "\t", "|")


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a byte-order mark dropped), else Windows-1252, the encoding
    Excel writes CSV in on Windows; bytes that are neither stay marked as undecodable."""
    try:
        return data.decode("utf-8").lstrip("\ufeff"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="surrogateescape"), "utf-8"


def delimiter(header_line: str) -> str:
    """The delimiter of a CSV, from its header: the candidate splitting it into most columns
    (a comma when none appears)."""
    best = max(_DELIMITERS, key=header_line.count)
    return best if header_line.count(best) else ","


def normal(name: str) -> str:
    """A header cell (or a JSON export's field) in small letters, with spaces, dashes and dots
    as underscores and camelCase split ("Follower Count", "followerCount": follower_count)."""
    return re.sub(r"[\s.\-'’]+", "_", _CAMEL.sub("_", name.strip()).lower())


# a header's unit, "ER (%)", "Engagement rate %", "Taux d'engagement en %": the column's name
# is the rest, and its bare numbers are percentages (in_percent)
_PERCENT = re.compile(r"\s*(?:[(\[]\s*%\s*[)\]]|(?:\b(?:in|en)\s+)?%)\s*")


def column(name: str) -> str:
    """A header cell (or a JSON export's field) as ingest names the column."""
    key = normal(_PERCENT.sub(" ", name).strip() if "%" in name else name)
    return ALIASES.get(key, key)


def in_percent(name: str) -> bool:
    """Whether a header says its column's numbers are percentages ("ER (%)")."""
    return "%" in name
