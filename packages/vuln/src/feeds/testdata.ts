/**
 * Small JVN documents for tests, written for mamori from the published shape of the MyJVN
 * API answers (JVNRSS 3.2 with mod_sec 3.0; VULDEF); the identifiers and texts are invented,
 * the CVE and CPE names are real.
 */
export const JVN_OVERVIEW = `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:sec="http://jvn.jp/rss/mod_sec/3.0/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:status="http://jvndb.jvn.jp/myjvn/Status">
  <channel rdf:about="https://jvndb.jvn.jp/apis/myjvn"><title>test</title></channel>
  <item rdf:about="https://jvndb.jvn.jp/en/contents/2023/JVNDB-2023-001111.html">
    <title>Heap overflow in Fortinet FortiOS SSL-VPN &amp; FortiProxy</title>
    <sec:identifier>JVNDB-2023-001111</sec:identifier>
    <sec:references source="NVD" id="CVE-2023-27997">https://nvd.nist.gov/vuln/detail/CVE-2023-27997</sec:references>
    <sec:cpe version="2.2" vendor="Fortinet, Inc." product="FortiOS">cpe:/o:fortinet:fortios</sec:cpe>
    <sec:cpe version="2.2" vendor="Fortinet, Inc." product="FortiProxy">cpe:/a:fortinet:fortiproxy</sec:cpe>
    <sec:cvss score="9.8" severity="Critical" vector="CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" version="3.0" type="Base"/>
    <dcterms:issued>2023-06-14T10:00:00+09:00</dcterms:issued>
    <dcterms:modified>2023-06-20T10:00:00+09:00</dcterms:modified>
  </item>
  <item rdf:about="https://jvndb.jvn.jp/en/contents/2023/bad.html">
    <title>an item without an identifier</title>
  </item>
  <status:Status version="3.3" method="getVulnOverviewList" retCd="0" totalRes="2" totalResRet="2" firstRes="1"/>
</rdf:RDF>
`;

export const JVN_DETAIL = `<?xml version="1.0" encoding="UTF-8"?>
<VULDEF-Document version="3.2">
  <Vulinfo>
    <VulinfoID>JVNDB-2024-002222</VulinfoID>
    <VulinfoData>
      <Title>Command injection in PAN-OS GlobalProtect</Title>
      <Affected>
        <AffectedItem>
          <Name>Palo Alto Networks</Name>
          <ProductName>PAN-OS</ProductName>
          <Cpe version="2.2">cpe:/o:paloaltonetworks:pan-os</Cpe>
          <VersionNumber>10.2 before 10.2.9-h1</VersionNumber>
          <VersionNumber>11.0 before 11.0.4-h1</VersionNumber>
        </AffectedItem>
      </Affected>
      <Related>
        <RelatedItem type="advisory"><Name>Common Vulnerabilities and Exposures (CVE)</Name><VulinfoID>CVE-2024-3400</VulinfoID></RelatedItem>
      </Related>
      <DateFirstPublished>2024-04-15T10:00:00+09:00</DateFirstPublished>
      <DateLastUpdated>2024-04-20T10:00:00+09:00</DateLastUpdated>
    </VulinfoData>
  </Vulinfo>
</VULDEF-Document>
`;
