package dev.plume.bootstrap.db;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class DbSpansTest {
    @Test
    void aFailedCallsStatusCodeIsTheSqlStateElseTheVendorCode() {
        assertEquals("42601", DbSpans.sqlStatusCode(new SQLException("syntax", "42601")));
        assertEquals("23505", DbSpans.sqlStatusCode(new SQLIntegrityConstraintViolationException("dup", "23505")));
        assertEquals("1062", DbSpans.sqlStatusCode(new SQLException("dup", null, 1062)));
        assertNull(DbSpans.sqlStatusCode(new SQLException("no code")));
        assertNull(DbSpans.sqlStatusCode(new IllegalStateException("not a database's")));
    }
}
