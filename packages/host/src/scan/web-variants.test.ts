import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner } from './scanner.js';
import { hasJavac, runJavaScriptlet } from './scan-test-kit.js';

// JSP and ASP.NET shells that hide their names the way their compilers allow: Java's \uXXXX
// escapes (read before anything else, anywhere in the source), C#'s in names, string pieces
// joined at run time ("Run" + "time"), reflection through Runtime.class, and a web service
// whose method parameters are the request. Each scanned clean before. Where a JDK is here, the
// Java of each JSP sample (its scriptlet, with `request` a stub whose parameter is the harmless
// command `true`) is compiled and run, to show Java reads it as the exec the scanner calls it.
const scanner = createScanner({});
const dir = mkdtempSync(join(tmpdir(), 'mamori-web-variants-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const javac = hasJavac();

const runJava = (scriptlet: string): string => runJavaScriptlet(dir, scriptlet);

const JSP: [string, string][] = [
  ['Runtime reached by reflection, its names joined from pieces', 'Object r = Class.forName("java.lang." + "Run" + "time").getMethod("getRun" + "time").invoke(null); r.getClass().getMethod("exec", String.class).invoke(r, request.getParameter("c"));'],
  ['exec reached through Runtime.class', 'java.lang.reflect.Method m = Runtime.class.getMethod("exec", String.class); m.invoke(Runtime.getRuntime(), request.getParameter("c"));'],
  ['exec written with a unicode escape', 'java.lang.Runtime r = java.lang.Runtime.getRuntime(); r.\\u0065xec(request.getParameter("c"));'],
  ['Runtime written with unicode escapes, several u', '\\uuu0052untime.getRuntime().exec(request.getParameter("c"));'],
];

describe('scan: JSP shells that hide their names', () => {
  for (const [name, code] of JSP) {
    it(name, () => {
      const r = scanner.scanBuffer(Buffer.from(`<% ${code} %>`), '/srv/app/x.jsp');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      if (javac) assert.match(runJava(code), /exec-ran/, 'Java compiles and runs it');
    });
  }
});

const ASPX: [string, string, string][] = [
  ['Process.Start written with a unicode escape (C# takes them in names)', 'x.aspx', '<%@ Page Language="C#" %><% System.Diagnostics.Process.\\u0053tart("cmd.exe", "/c " + Request["c"]); %>'],
  ['a web service method that starts a shell with its parameter', 'x.asmx', '<%@ WebService Language="C#" Class="S" %>\nusing System.Web.Services; public class S : WebService { [WebMethod] public string R(string c) { return System.Diagnostics.Process.Start("cmd.exe", "/c " + c).StandardOutput.ReadToEnd(); } }\n'],
];

describe('scan: ASP.NET shells that hide their input or names', () => {
  for (const [name, file, src] of ASPX) {
    it(name, () => {
      const r = scanner.scanBuffer(Buffer.from(src), `/srv/app/${file}`);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
});

describe('scan: JSP and ASP.NET pages that join strings stay clean', () => {
  const pages: [string, string][] = [
    ['x.jsp', '<%@ page contentType="text/html" %><% String who = request.getParameter("name"); out.println("Hello, " + "world: " + (who == null ? "" : who.replace("<", "&lt;"))); %>'],
    ['x.jsp', '<% String cls = "java.util." + "Date"; Object d = Class.forName(cls).getConstructor().newInstance(); out.println("\\u00e9t\\u00e9 " + d); %>'],
    ['x.aspx', '<%@ Page Language="VB" %><% Response.Write("Hello " & "world " & Server.HtmlEncode(Request.QueryString("n"))) %>'],
    ['x.asmx', '<%@ WebService Language="C#" Class="S" %>\nusing System.Web.Services; public class S : WebService { [WebMethod] public string Hello(string n) { return "Hello " + "dear " + n; } }\n'],
  ];
  for (const [file, src] of pages) {
    it(src.slice(0, 60), () => assert.equal(scanner.scanBuffer(Buffer.from(src), `/srv/app/${file}`).verdict, 'clean'));
  }
});
