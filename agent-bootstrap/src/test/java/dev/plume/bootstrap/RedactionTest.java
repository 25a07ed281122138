package dev.plume.bootstrap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class RedactionTest {
    @Test
    void userInformationGoesWhateverShapeTheUrlIsIn() {
        assertEquals("http://REDACTED@host:4318/v1/traces", Redaction.url("http://user:pw@host:4318/v1/traces"));
        assertEquals("REDACTED@host:4318", Redaction.url("user:pw@host:4318"));
        assertEquals("ftp://REDACTED@host/x", Redaction.url("ftp://user:pw@host/x"));
        assertEquals("http://REDACTED@host:4318", Redaction.url("http://user:p w@d@host:4318"), "the last @ counts");
        assertEquals("http://host:4318/v1/traces", Redaction.url("http://host:4318/v1/traces"));
    }

    @Test
    void queryValuesGoAndTheirNamesStay() {
        assertEquals("https://h/p?token=REDACTED&sig=REDACTED&flag", Redaction.url("https://h/p?token=abc&sig=d&flag"));
        assertEquals("https://h/p", Redaction.url("https://h/p#secret-fragment"));
    }

    @Test
    void freeTextRedactsTheWordsThatCarrySecrets() {
        String text = Redaction.text("cannot connect to http://admin:hunter2@collector:4318/v1/traces (Bearer abc.def)"
            + " token at https://x/y?api_key=k1");
        assertFalse(text.contains("hunter2") || text.contains("abc.def") || text.contains("k1"), text);
        assertEquals("plain words stay plain", Redaction.text("plain words stay plain"));
        assertEquals("Authorization: Basic REDACTED", Redaction.text("Authorization: Basic dXNlcjpwdw=="));
        assertEquals(null, Redaction.text(null));
    }
}
