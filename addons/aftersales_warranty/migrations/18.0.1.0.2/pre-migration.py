"""The warranty reference is indexed by a btree instead of trigrams: the trigram index is dropped,
and the update creates the btree in its place (Odoo keeps an index of the expected name as it is)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        SELECT 1 FROM pg_indexes
         WHERE tablename = 'aftersales_warranty'
           AND indexname = 'aftersales_warranty__name_index'
           AND indexdef LIKE '%USING gin%'
        """
    )
    if cr.fetchone():
        cr.execute("DROP INDEX aftersales_warranty__name_index")
