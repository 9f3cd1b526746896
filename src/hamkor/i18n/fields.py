"""What a person calls each field a record's checks can name: English message ids of the catalogs.

A problem says which field is wrong by its name in the code (`tax_id`); a page shows that name as the
form labels it ("ИНН / STIR"), never the name itself. A field missing here shows as its name, and the
language test (tests/web/test_language.py) finds it.
"""

from __future__ import annotations

FIELD_LABELS = {
    # accounts
    "password": "Password", "current_password": "Current password", "expires_at": "Expires", "scope": "Access",
    "token": "API token", "user": "User", "csrf": "Form check", "email": "E-mail", "role": "Role",
    "language": "Language", "id": "Number", "form": "Form", "record": "Record", "job": "Job",
    "organisation": "Organisation", "territory": "Territory", "online": "Takes part",
    # companies
    "name": "Name", "name_ru": "Name (Russian)", "name_uz": "Name (Uzbek)", "name_en": "Name (English)",
    "country": "Country", "region": "Region", "city": "City", "tax_id": "Tax ID", "sectors": "Sector",
    "size": "Size", "website": "Website", "languages": "Languages", "export_experience": "Export experience",
    "offers": "Offers", "needs": "Needs", "offers_text": "Offers", "needs_text": "Needs",
    "contact_name": "Contact", "contact_email": "E-mail", "contact_phone": "Phone", "contact_role": "Position",
    "company": "Company",
    # missions
    "host_territory": "Host territory", "visiting_territory": "Visiting territory", "venue": "Venue",
    "timezone": "Time zone", "latitude": "Latitude", "longitude": "Longitude", "days": "Days",
    "slot_minutes": "Slot length, minutes", "tables": "Tables", "interpreters": "Interpreters",
    "request_deadline": "Pending requests expire at (local time)", "address": "Address", "opens": "Opens",
    "closes": "Closes", "visit_minutes": "Visit, minutes", "priority": "Priority", "status": "Status",
    "requester": "From", "target": "To", "message": "Message", "participant": "Participant",
    "participants": "Participants", "attendees": "Attendees (comma-separated)", "slot": "Slot",
    "group": "Who receives it", "attendance": "How you take part", "subject_ru": "Subject (Russian)",
    "subject_uz": "Subject (Uzbek)",
    "subject_en": "Subject (English)", "body_ru": "Text (Russian)", "body_uz": "Text (Uzbek)",
    "body_en": "Text (English)",
    "table": "Table", "meeting": "Meeting", "request": "Request", "rating": "Rating", "stage": "Stage",
    "hs_code": "HS code", "value_usd": "Value, USD", "notes": "Notes", "mission": "Mission", "visit": "Visit",
    "visits": "Enterprise visits", "side": "Side", "available": "Available", "schedule": "Schedule",
    "replan": "Re-plan", "from_slot": "Re-plan from slot (earlier slots stay)", "registration": "Registration",
    "reason": "Reason", "companies": "Companies", "sector": "Sector", "action": "Action",
    # trade and imports
    "kind": "Kind", "file": "File", "value_unit": "Values in", "batch": "Batch", "period": "Period",
    "reporter": "Reporter", "partner": "Partner", "flow": "Flow", "level": "Level", "within": "Within",
    "code": "Code", "source": "Source", "direction": "Direction", "document": "Document", "q": "Search",
    # parameters of an address (/join/abc): named as what they point at, never as the code's name
    "mission_id": "Mission", "participant_id": "Participant", "company_id": "Company", "lang": "Language",
    "meeting_id": "Meeting", "request_id": "Request", "record_id": "Record", "job_id": "Job",
}
