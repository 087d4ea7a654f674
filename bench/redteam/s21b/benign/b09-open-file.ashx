<%@ WebHandler Language="C#" Class="Thumb" %>
using System; using System.Web; using System.Diagnostics;
public class Thumb : IHttpHandler {
  public bool IsReusable { get { return true; } }
  public void ProcessRequest(HttpContext ctx) {
    string name = System.IO.Path.GetFileName(ctx.Request.QueryString["f"]);
    Convert(ctx.Server.MapPath("~/uploads/" + name));
    ctx.Response.WriteFile(ctx.Server.MapPath("~/thumbs/" + name));
  }
  static void Convert(string file) {
    Process.Start(@"C:\ImageMagick\magick.exe", "\"" + file + "\" -thumbnail 128x128 \"" + file.Replace("uploads", "thumbs") + "\"").WaitForExit();
  }
}
