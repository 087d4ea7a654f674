<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
protected void Go_Click(object sender, EventArgs e) {
  Output.Text = Server.HtmlEncode(Ping(HostBox.Text));
}
static string Ping(string host) {
  if (!System.Text.RegularExpressions.Regex.IsMatch(host, @"^[\w.-]+$")) return "bad host";
  var psi = new ProcessStartInfo("ping.exe", "-n 1 " + host) { UseShellExecute = false, RedirectStandardOutput = true };
  using (var p = Process.Start(psi)) return p.StandardOutput.ReadToEnd();
}
</script>
<form runat="server"><asp:TextBox ID="HostBox" runat="server" /><asp:Button ID="Go" runat="server" OnClick="Go_Click" Text="Ping" /><asp:Literal ID="Output" runat="server" /></form>
