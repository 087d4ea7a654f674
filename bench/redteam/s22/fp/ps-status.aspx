<%@ Page Language="C#" %>
<%@ Import Namespace="System.Management.Automation" %>
<script runat="server">
  // Service status for the operations team: fixed scripts only, output shown in a label.
  protected void Page_Load(object sender, EventArgs e) {
    using (PowerShell ps = PowerShell.Create()) {
      ps.AddScript("Get-Service -Name W3SVC,WAS | Select-Object Name,Status | Out-String");
      var sb = new System.Text.StringBuilder();
      foreach (var r in ps.Invoke()) sb.Append(Server.HtmlEncode(r.ToString()));
      StatusLabel.Text = sb.ToString();
    }
  }
</script>
<html><body><asp:Label ID="StatusLabel" runat="server" /></body></html>
