-- Listing members pages through one organization's members in ID order. Without this index SQLite
-- joined and sorted every member of the organization for each page (0.5 s a page at 100,000 members).
CREATE INDEX members_organization_order ON members (organization_id, id);
