package dev.plume.bootstrap.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class HttpSemanticsTest {
    @Test
    void aUrlWithNothingToHideIsTheSameString() {
        String url = "https://example.com:8443/search?q=plume&page=2#top";
        assertSame(url, HttpSemantics.redactedUrl(url));
        String bare = "http://example.com";
        assertSame(bare, HttpSemantics.redactedUrl(bare));
    }

    @Test
    void credentialsAndSensitiveQueryValuesAreRedactedAndTheKeysKept() {
        assertEquals("https://REDACTED:REDACTED@example.com/p",
            HttpSemantics.redactedUrl("https://user:pw@example.com/p"));
        assertEquals("https://REDACTED:REDACTED@example.com",
            HttpSemantics.redactedUrl("https://user@example.com"));
        assertEquals("http://h/p?color=blue&sig=REDACTED&X-Amz-Signature=REDACTED&token=REDACTED&Signature=REDACTED"
                + "&AWSAccessKeyId=REDACTED&X-Goog-Signature=REDACTED&flag#frag",
            HttpSemantics.redactedUrl("http://h/p?color=blue&sig=a1&X-Amz-Signature=b2&token=c3&Signature=d4"
                + "&AWSAccessKeyId=e5&X-Goog-Signature=f6&flag#frag"));
        assertEquals("http://h/p?SIG=REDACTED", HttpSemantics.redactedUrl("http://h/p?SIG=x"), "keys ignore case");
        assertEquals("http://REDACTED:REDACTED@h/?sig=REDACTED",
            HttpSemantics.redactedUrl("http://u:p@h/?sig=x"));
    }

    @Test
    void onlyTheAuthorityHoldsUserInformation() {
        String url = "http://h/callback?next=http://other@elsewhere/x";
        assertSame(url, HttpSemantics.redactedUrl(url));
        String atInPath = "http://h/users/@me";
        assertSame(atInPath, HttpSemantics.redactedUrl(atInPath));
        assertEquals("sig=REDACTED&a=1", HttpSemantics.redactedQuery("sig=x&a=1"));
        String plain = "a=1&b=2";
        assertSame(plain, HttpSemantics.redactedQuery(plain));
        assertNull(HttpSemantics.redactedQuery(null));
    }

    @Test
    void protocolVersionsAsClientsNameThem() {
        assertEquals("1.1", HttpSemantics.clientProtocolVersion("HTTP/1.1 200 OK"));
        assertEquals("1.0", HttpSemantics.clientProtocolVersion("HTTP/1.0 404 Not Found"));
        assertEquals("1.1", HttpSemantics.clientProtocolVersion("http/1.1"));
        assertEquals("2", HttpSemantics.clientProtocolVersion("h2"));
        assertEquals("2", HttpSemantics.clientProtocolVersion("h2_prior_knowledge"));
        assertEquals("3", HttpSemantics.clientProtocolVersion("h3"));
        assertNull(HttpSemantics.clientProtocolVersion("spdy/3.1"));
        assertEquals("1.1", HttpSemantics.clientProtocolVersion(1, 1));
        assertEquals("2", HttpSemantics.clientProtocolVersion(2, 0));
    }
}
